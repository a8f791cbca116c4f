from graph.quick import main

main()

from medc.cli import main

main()

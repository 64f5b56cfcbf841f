from servicenorm.cli import main

main()

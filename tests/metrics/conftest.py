"""The Spark fixtures (`spark_master`, `spark_engine`) live in tests/conftest.py: one
standalone cluster and one driver session serve every Spark test of a worker."""

"""Apache Spark on a real cluster: the executors read, validate and de-duplicate the event log,
the driver builds the clock's small tables and reads back per-seller summaries only.

* `session`: the SparkSession for a master URL and `--spark-conf` settings;
* `source`: the files behind `--events` (a file, a directory or a glob on any Hadoop
  filesystem) as raw rows with their file and line;
* `accept`: Spark SQL, derived from the contract's models, that accepts certainly-valid rows
  and converts them; every other row is judged by the models themselves (`suspects`);
* `log`: the validated, de-duplicated log as one DataFrame per event type;
* `frame`: the metric frame on the cluster (the registry's SQL runs unchanged on it);
* `evidence`: the item tables written as partitioned Parquet by the executors.
"""

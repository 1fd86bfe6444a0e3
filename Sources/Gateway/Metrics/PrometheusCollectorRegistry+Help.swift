import Prometheus

extension PrometheusCollectorRegistry {
    /// The counter `name` with `labels`, made on first use; `help` becomes its `# HELP` line.
    func counter(_ name: String, _ labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    /// The gauge `name` with `labels`, made on first use.
    func gauge(_ name: String, _ labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    /// The histogram `name` with `labels` and `buckets`, made on first use.
    func histogram(_ name: String, _ labels: [(String, String)], buckets: [Duration], help: String) -> DurationHistogram {
        makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels, buckets: buckets)
    }
}

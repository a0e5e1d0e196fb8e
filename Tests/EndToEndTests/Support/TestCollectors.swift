/// Collectors files several suites run.
enum TestCollectors {
    /// One collector, every second: `test_one 1`. For tests about the exporter around it (web security, poolers).
    static let selectOne = """
        collectors:
          - name: one
            interval: 1s
            timeout: 1s
            sql: SELECT 1 AS v
            metrics:
              - {name: test_one, type: gauge, help: One., value: v}
        """

    /// A collector `ok` that counts users every second (`test_ok`): it needs a login that may read the schema.
    static let countUsers = """
        collectors:
          - name: ok
            interval: 1s
            timeout: 1s
            sql: SELECT count(*) AS n FROM users
            metrics:
              - {name: test_ok, type: gauge, help: OK., value: n}
        """
}

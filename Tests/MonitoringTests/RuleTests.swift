import Foundation
import Testing
import TestSupport

/// alerts/*.rules.yml: promtool's lint and unit tests, and what every alert must carry.
struct RuleTests {
    static let severities: Set<String> = ["critical", "warning", "info"]
    static let prefixes = ["ChatExporter", "ChatCreation"]
    static let jobMatcher = #"job=~"chat-exporter.*""#

    @Test func ruleFilesAreLintClean() throws {
        let promtool = try executablePath("promtool", candidates: ["/usr/bin/promtool"])
        let files = try Repository.ruleFiles()
        #expect(files.count == 2, "expected alerts/chat-exporter.rules.yml and alerts/chat-creation.rules.yml, found \(files)")
        for file in files {
            let command = ["check", "rules", "--lint=all", "--lint-fatal", Repository.path(file)]
            let result = try runProcess(promtool, command, timeout: .seconds(60))
            #expect(result.status == 0, "\(describe(result, ["promtool"] + command))")
        }
    }

    @Test func promtoolUnitTestsPass() throws {
        let promtool = try executablePath("promtool", candidates: ["/usr/bin/promtool"])
        let files = try Repository.ruleTestFiles()
        #expect(!files.isEmpty, "no alerts/tests/*.test.yml")
        let command = ["test", "rules"] + files.map(Repository.path)
        let result = try runProcess(promtool, command, timeout: .seconds(120))
        #expect(result.status == 0, "\(describe(result, ["promtool"] + command))")
    }

    @Test func everyAlertCarriesSeveritySummaryDescriptionRunbookAndFor() throws {
        let catalog = try RuleCatalog.shipped()
        let base = try Repository.runbookBaseURL()
        #expect(base.hasPrefix("https://") && base.hasSuffix("/"), "runbook base \(base) must be an https URL ending with /")
        for alert in catalog.alerts {
            let name = alert.name
            #expect(Self.prefixes.contains { name.hasPrefix($0) }, "\(name): the name must start with ChatExporter or ChatCreation")
            #expect(name.allSatisfy { $0.isLetter || $0.isNumber } && name.first?.isUppercase == true, "\(name): CamelCase, letters and digits only")
            #expect(Self.severities.contains(alert.labels["severity"] ?? ""), "\(name): severity \(alert.labels["severity"] ?? "none") is not critical, warning or info")
            let summary = alert.annotations["summary"] ?? ""
            #expect(!summary.isEmpty, "\(name): no summary")
            #expect(!summary.contains("{{"), "\(name): the summary must be static (it titles notifications grouped across instances)")
            let description = alert.annotations["description"] ?? ""
            #expect(description.contains("{{"), "\(name): the description must be templated with the values on-call needs")
            if !alert.query.contains("absent(") {
                #expect(description.contains("$labels.instance"), "\(name): the description must name the instance")
            }
            #expect(alert.forSeconds > 0, "\(name): needs a for:")
            let runbook = alert.annotations["runbook_url"] ?? ""
            #expect(runbook == base + name + ".md", "\(name): runbook_url \(runbook) is not \(base)\(name).md (the base is declared in alerts/README.md)")
            #expect(Repository.exists("docs/runbooks/\(name).md"), "\(name): docs/runbooks/\(name).md is missing")
        }
    }

    @Test func everyAlertHasARunbookWithTheFourSections() throws {
        let catalog = try RuleCatalog.shipped()
        for name in catalog.alertNames.sorted() {
            let text = try Repository.read("docs/runbooks/\(name).md")
            #expect(text.hasPrefix("# \(name)\n"), "docs/runbooks/\(name).md must start with # \(name)")
            for section in ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation"] {
                #expect(text.contains("\n\(section)\n"), "docs/runbooks/\(name).md has no \(section) section")
            }
        }
        // And no runbook without an alert.
        let pages = try Repository.files(in: "docs/runbooks", suffix: ".md")
            .map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
            .filter { $0 != "README" }
        #expect(Set(pages) == catalog.alertNames, "runbooks without an alert: \(Set(pages).subtracting(catalog.alertNames).sorted())")
        let runbookIndex = try Repository.read("docs/runbooks/README.md")
        let alertTable = try Repository.read("alerts/README.md")
        for name in catalog.alertNames.sorted() {
            #expect(runbookIndex.contains("[\(name)](\(name).md)"), "\(name) is not listed in docs/runbooks/README.md")
            #expect(alertTable.contains("\n| \(name) |"), "\(name) has no row in alerts/README.md's table")
        }
    }

    @Test func everyAlertIsShownFiringAndQuietInTheUnitTests() throws {
        let catalog = try RuleCatalog.shipped()
        let coverage = try RuleTestCoverage.read()
        #expect(coverage.cases > 40, "the unit-test reader found only \(coverage.cases) alertname keys")
        let notFiring = catalog.alertNames.subtracting(coverage.firing)
        #expect(notFiring.isEmpty, "alerts never shown firing in alerts/tests/*.test.yml: \(notFiring.sorted())")
        let neverQuiet = catalog.alertNames.subtracting(coverage.quiet)
        #expect(neverQuiet.isEmpty, "alerts never shown quiet in alerts/tests/*.test.yml: \(neverQuiet.sorted())")
        let unknown = coverage.firing.union(coverage.quiet).subtracting(catalog.alertNames)
        #expect(unknown.isEmpty, "unit tests name alerts that do not exist: \(unknown.sorted())")
        #expect(coverage.casesWithoutInterval.isEmpty, "unit-test cases without interval: \(coverage.casesWithoutInterval)")
    }

    @Test func everySelectorMatchesTheJobConvention() throws {
        let catalog = try RuleCatalog.shipped()
        let constants = catalog.constantRecordings
        let rules = catalog.alerts.map { ($0.name, $0.query) } + catalog.recordings.map { ($0.name, $0.query) }
        for (name, query) in rules {
            for selector in PromQL.selectors(in: query) where !constants.contains(selector.name) {
                #expect(selector.matchers.contains(Self.jobMatcher), "\(name): selector \(selector) does not match \(Self.jobMatcher)")
            }
        }
    }

    @Test func theSLOObjectiveIsSetInOnePlace() throws {
        let catalog = try RuleCatalog.shipped()
        let objective = catalog.recordings.filter { $0.name == "chat:audit_slo_objective:ratio" }
        #expect(objective.count == 1)
        #expect(objective.first?.query == "vector(0.995)")
        let burns = catalog.alerts.filter { $0.name == "ChatCreationAuditErrorBudgetBurn" }
        #expect(burns.count == 3, "the page (1h/5m, 6h/30m) and ticket (24h/2h) burn-rate alerts")
        for burn in burns {
            #expect(burn.query.contains("chat:audit_error_budget:ratio"), "burn-rate alerts read the budget from its recording rule")
            #expect(burn.query.contains("chat:audit_slo_min_events:count"), "burn-rate alerts have the minimum-traffic guard")
            #expect(!burn.query.contains("0.995") && !burn.query.contains("0.005"), "no literal objective in \(burn.query)")
        }
        let windows = Set(burns.map { "\($0.labels["long_window"] ?? "")/\($0.labels["short_window"] ?? "")/\($0.labels["severity"] ?? "")" })
        #expect(windows == ["1h/5m/critical", "6h/30m/critical", "24h/2h/warning"])
    }
}

import Foundation
import Testing
import TestSupport

/// deploy/kubernetes: every document parses and names itself; the containers run flags the binary has, with the
/// probes, the security context and the secret file the exporter needs.
struct KubernetesManifestTests {
    static let directory = "deploy/kubernetes"

    /// Every document of every YAML file, with its file name.
    private func documents() throws -> [(file: String, document: [String: Any])] {
        var all: [(String, [String: Any])] = []
        for file in try Repository.files(in: Self.directory, endingWith: [".yaml", ".yml"]) {
            let documents = try YAMLDocuments.load(Repository.path("\(Self.directory)/\(file)"))
            #expect(!documents.isEmpty, "\(file) holds no document")
            for document in documents {
                let object = try #require(document as? [String: Any], "\(file): a document that is not a mapping")
                all.append((file, object))
            }
        }
        return all
    }

    private func document(kind: String) throws -> [String: Any] {
        let matches = try documents().filter { $0.document["kind"] as? String == kind }
        #expect(matches.count == 1, "exactly one \(kind)")
        return try #require(matches.first?.document)
    }

    /// The pod spec of a Deployment or a CronJob.
    private func podSpec(_ document: [String: Any]) -> [String: Any]? {
        let spec = document["spec"] as? [String: Any]
        if document["kind"] as? String == "CronJob" {
            let job = (spec?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any]
            return (job?["template"] as? [String: Any])?["spec"] as? [String: Any]
        }
        return (spec?["template"] as? [String: Any])?["spec"] as? [String: Any]
    }

    private func containers(_ podSpec: [String: Any]) -> [[String: Any]] {
        ((podSpec["containers"] as? [[String: Any]]) ?? []) + ((podSpec["initContainers"] as? [[String: Any]]) ?? [])
    }

    private func exporterContainer(_ document: [String: Any]) throws -> [String: Any] {
        let spec = try #require(podSpec(document))
        return try #require(containers(spec).first { ($0["image"] as? String)?.contains("chat-exporter") == true })
    }

    private func env(_ container: [String: Any]) -> [String: String] {
        var values: [String: String] = [:]
        for entry in (container["env"] as? [[String: Any]]) ?? [] {
            if let name = entry["name"] as? String, let value = entry["value"] as? String { values[name] = value }
        }
        return values
    }

    @Test func everyDocumentParsesAndHasApiVersionKindAndName() throws {
        let all = try documents()
        #expect(all.count >= 6)
        for (file, document) in all {
            #expect((document["apiVersion"] as? String)?.isEmpty == false, "\(file): apiVersion")
            #expect((document["kind"] as? String)?.isEmpty == false, "\(file): kind")
            let name = (document["metadata"] as? [String: Any])?["name"] as? String
            #expect(name?.isEmpty == false || document["kind"] as? String == "Component", "\(file): metadata.name")
        }
        let kinds = Set(all.map { $0.document["kind"] as? String ?? "" })
        #expect(kinds.isSuperset(of: ["Deployment", "Service", "CronJob", "Secret", "Component", "ServiceMonitor", "PrometheusRule"]))
    }

    @Test func everyContainerFlagIsAFlagOfTheBinary() throws {
        var checked = 0
        for (file, document) in try documents() {
            guard let spec = podSpec(document) else { continue }
            for container in containers(spec) where (container["image"] as? String)?.contains("chat-exporter") == true {
                let arguments = ((container["command"] as? [String]) ?? []).dropFirst().map { $0 } + ((container["args"] as? [String]) ?? [])
                let subcommand = arguments.first { !$0.hasPrefix("-") } ?? "serve"
                let known = try BinaryFlags.of(subcommand)
                for flag in BinaryFlags.names(in: arguments) {
                    #expect(known.contains(flag), "\(file): chat-exporter \(subcommand) has no \(flag)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 4)
    }

    @Test func theSidecarIsProbedLockedDownAndReadsItsPasswordFromASecretFile() throws {
        for kind in ["Deployment", "CronJob"] {
            let document = try document(kind: kind)
            let container = try exporterContainer(document)
            let name = container["name"] as? String ?? kind

            let security = try #require(container["securityContext"] as? [String: Any], "\(name): securityContext")
            #expect(security["readOnlyRootFilesystem"] as? Bool == true, "\(name)")
            #expect(security["runAsNonRoot"] as? Bool == true, "\(name)")
            #expect(security["allowPrivilegeEscalation"] as? Bool == false, "\(name)")
            #expect(((security["capabilities"] as? [String: Any])?["drop"] as? [String]) == ["ALL"], "\(name)")
            let resources = try #require(container["resources"] as? [String: Any], "\(name): resources")
            #expect((resources["requests"] as? [String: Any])?["memory"] != nil, "\(name)")
            #expect((resources["limits"] as? [String: Any])?["memory"] != nil, "\(name)")

            // --database.password-file names a file inside a mounted Secret volume.
            let arguments = (container["args"] as? [String]) ?? []
            let passwordFile = try #require(arguments.first { $0.hasPrefix("--database.password-file=") }?.split(separator: "=", maxSplits: 1).last.map(String.init))
            let mounts = (container["volumeMounts"] as? [[String: Any]]) ?? []
            let mount = try #require(mounts.first { passwordFile.hasPrefix(((($0["mountPath"] as? String) ?? "") + "/")) }, "\(name): \(passwordFile) is mounted")
            let volumes = (podSpec(document)?["volumes"] as? [[String: Any]]) ?? []
            let volume = try #require(volumes.first { $0["name"] as? String == mount["name"] as? String })
            let secret = try #require(volume["secret"] as? [String: Any], "\(name): the password comes from a Secret")
            let relative = String(passwordFile.dropFirst(((mount["mountPath"] as? String) ?? "").count + 1))
            let items = (secret["items"] as? [[String: Any]]) ?? []
            #expect(items.isEmpty || items.contains { $0["path"] as? String == relative })
            #expect(!arguments.contains { $0.contains("password=") && !$0.hasPrefix("--database.password-file") }, "no password in the arguments")
            #expect(env(container)["DB_PASSWORD"] == nil && env(container)["DB_HOST"] != nil, "\(name): DB_* from env, never the password")
        }

        let deployment = try exporterContainer(try document(kind: "Deployment"))
        #expect((deployment["args"] as? [String])?.first == "serve")
        #expect(env(deployment)["DB_USER"] == "chat_exporter")
        let port = try #require((deployment["ports"] as? [[String: Any]])?.first)
        #expect(port["containerPort"] as? Int == 9488)
        let portName = port["name"] as? String
        let get = try #require((deployment["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
        #expect(get["path"] as? String == "/-/healthy")
        #expect(get["port"] as? String == portName || get["port"] as? Int == 9488)
        // A sidecar's readiness is the chat backend's: it must not wait for the exporter to reach the database.
        #expect(deployment["readinessProbe"] == nil)
    }

    @Test func theServiceExposesTheScrapePortOfThePods() throws {
        let service = try document(kind: "Service")
        let spec = try #require(service["spec"] as? [String: Any])
        let port = try #require((spec["ports"] as? [[String: Any]])?.first)
        #expect(port["port"] as? Int == 9488)
        // Not for the annotation jobs: they would scrape it as job="kubernetes-service-endpoints", which no shipped
        // rule selects.
        let annotations = ((service["metadata"] as? [String: Any])?["annotations"] as? [String: Any]) ?? [:]
        #expect(!annotations.keys.contains { $0.hasPrefix("prometheus.io/") }, "\(annotations)")

        // The Service selects the pods that run the sidecar, by the label the patch gives them (the platform's own
        // labels are unknown here).
        let selector = try #require(spec["selector"] as? [String: String])
        let sidecar = try document(kind: "Deployment")
        let podLabels = (((sidecar["spec"] as? [String: Any])?["template"] as? [String: Any])?["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
        #expect(!selector.isEmpty && selector.allSatisfy { podLabels[$0.key] == $0.value }, "the patch labels the pods the Service selects")

        // Scraped once, through the Service: pod annotations as well would make the usual role: pod job scrape the
        // same exporter a second time (every series twice under another job). The patch adds none.
        let deployment = try document(kind: "Deployment")
        let template = try #require((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])
        let podAnnotations = ((template["metadata"] as? [String: Any])?["annotations"] as? [String: Any]) ?? [:]
        #expect(!podAnnotations.keys.contains { $0.hasPrefix("prometheus.io/") }, "\(podAnnotations)")
    }

    /// The Operator names the job after the Service: it must be a name the rules select, and the monitor must pick
    /// the Service and its port.
    @Test func theServiceMonitorScrapesTheServiceUnderAJobTheRulesSelect() throws {
        let service = try document(kind: "Service")
        let serviceMetadata = try #require(service["metadata"] as? [String: Any])
        let serviceName = try #require(serviceMetadata["name"] as? String)
        #expect(serviceName.wholeMatch(of: /chat-exporter.*/) != nil, "job=\(serviceName)")
        let serviceLabels = try #require(serviceMetadata["labels"] as? [String: String])
        let portName = try #require(((service["spec"] as? [String: Any])?["ports"] as? [[String: Any]])?.first?["name"] as? String)

        let monitor = try document(kind: "ServiceMonitor")
        let spec = try #require(monitor["spec"] as? [String: Any])
        #expect(spec["jobLabel"] == nil, "the job is the Service's name")
        let matchLabels = try #require((spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String])
        #expect(!matchLabels.isEmpty && matchLabels.allSatisfy { serviceLabels[$0.key] == $0.value }, "\(matchLabels)")
        let endpoint = try #require((spec["endpoints"] as? [[String: Any]])?.first)
        #expect(endpoint["port"] as? String == portName)
        #expect(endpoint["path"] as? String == "/metrics")
    }

    /// Without the Operator: the scrape job is valid for promtool, named so that the rules select it, and keeps
    /// exactly the Service's metrics port.
    @Test func thePlainPrometheusJobKeepsTheServicePortUnderAJobTheRulesSelect() throws {
        let file = Repository.path("deploy/prometheus/kubernetes-scrape.yml")
        if let promtool = findExecutable("promtool") {
            // Debian's Prometheus is built without Kubernetes discovery: promtool checks the rest of the job (its
            // relabelling above all) with the discovery swapped for a static target.
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let discovery = "    kubernetes_sd_configs:\n      - role: endpoints\n"
            #expect(text.contains(discovery))
            let scratch = NSTemporaryDirectory() + "chat-exporter-k8s-scrape-\(UUID().uuidString.prefix(8)).yml"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try text.replacingOccurrences(of: discovery, with: "    static_configs:\n      - targets: ['pod:9488']\n")
                .write(toFile: scratch, atomically: true, encoding: .utf8)
            let checked = try runProcess(promtool, ["check", "config", scratch], environment: plainEnvironment(), timeout: .seconds(60))
            #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        }
        let config = try #require(try YAMLDocuments.load(file).first as? [String: Any])
        let job = try #require((config["scrape_configs"] as? [[String: Any]])?.first)
        let jobName = try #require(job["job_name"] as? String)
        #expect(jobName.wholeMatch(of: /chat-exporter.*/) != nil, "job=\(jobName)")
        let keep = try #require((job["relabel_configs"] as? [[String: Any]])?.first { $0["action"] as? String == "keep" })
        let service = try document(kind: "Service")
        let serviceName = try #require((service["metadata"] as? [String: Any])?["name"] as? String)
        let portName = try #require(((service["spec"] as? [String: Any])?["ports"] as? [[String: Any]])?.first?["name"] as? String)
        #expect(keep["source_labels"] as? [String] == ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"])
        let regex = try Regex(try #require(keep["regex"] as? String))
        #expect("\(serviceName);\(portName)".wholeMatch(of: regex) != nil)
        #expect("kube-dns;metrics".wholeMatch(of: regex) == nil)
    }

    @Test func theBackfillCronJobRunsEveryThirtyMinutesNeverTwiceAtOnceAsTheBackfillRole() throws {
        let cronJob = try document(kind: "CronJob")
        let spec = try #require(cronJob["spec"] as? [String: Any])
        #expect(spec["schedule"] as? String == "*/30 * * * *")
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        let container = try exporterContainer(cronJob)
        #expect((container["args"] as? [String])?.first == "backfill")
        // A pair blocked by a room deleted on purpose must not fail every Job for good.
        #expect((container["args"] as? [String])?.contains("--allow-blocked") == true)
        #expect(env(container)["DB_USER"] == "chat_backfill")
        #expect(podSpec(cronJob)?["restartPolicy"] as? String == "Never")
        // SIGTERM at the deadline lets the batch in flight finish (its statement timeout, 1 minute by default)
        // and the summary print before the kubelet's SIGKILL.
        #expect((podSpec(cronJob)?["terminationGracePeriodSeconds"] as? Int ?? 30) > 60)
    }

    /// The Operator's Prometheus loads no rule_files: prometheusrule.yaml carries every group of alerts/*.rules.yml,
    /// the same rules (scripts/prometheusrule.py writes it; this fails until it is run after a rule changed).
    @Test func thePrometheusRuleHoldsExactlyTheShippedRuleGroups() throws {
        let rule = try document(kind: "PrometheusRule")
        let groups = try #require((rule["spec"] as? [String: Any])?["groups"] as? [Any])
        var shipped: [Any] = []
        for file in try Repository.files(in: "alerts", endingWith: [".rules.yml"]).sorted() {
            let document = try #require(try YAMLDocuments.load(Repository.path("alerts/\(file)")).first as? [String: Any])
            shipped += try #require(document["groups"] as? [Any])
        }
        #expect(!shipped.isEmpty)
        #expect(NSArray(array: groups).isEqual(to: shipped), "run python3 scripts/prometheusrule.py")
    }

    /// The set is a kustomize Component that an overlay deploying the chat backend includes: it adds the sidecar to
    /// that Deployment as a patch, and never ships a Deployment of its own (an example application container in it
    /// would replace the platform's real one on `kubectl apply -k`).
    @Test func theComponentPatchesThePlatformsDeploymentAndListsExistingFilesNotTheExampleSecret() throws {
        let component = try document(kind: "Component")
        let resources = try #require(component["resources"] as? [String])
        #expect(Set(resources) == ["service.yaml", "cronjob.yaml"])
        let patches = ((component["patches"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        #expect(patches == ["sidecar.yaml"])
        for file in resources + patches {
            #expect(FileManager.default.fileExists(atPath: Repository.path("\(Self.directory)/\(file)")), "\(file)")
        }
        let sidecar = try document(kind: "Deployment")
        #expect(containers(try #require(podSpec(sidecar))).map { $0["name"] as? String } == ["chat-exporter"])
        #expect((sidecar["spec"] as? [String: Any])?["selector"] == nil, "a patch, not a Deployment of its own")
        let secrets = try documents().filter { $0.document["kind"] as? String == "Secret" }.map { ($0.document["metadata"] as? [String: Any])?["name"] as? String }
        #expect(Set(secrets.compactMap { $0 }) == ["chat-exporter-db", "chat-backfill-db"])

        // When kubectl is around (not on a plain Debian 12): an overlay with the platform's own Deployment and this
        // Component builds to that Deployment with both containers, the application's untouched.
        if let kubectl = findExecutable("kubectl") {
            let overlay = FileManager.default.temporaryDirectory.appendingPathComponent("overlay-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: overlay, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: overlay) }
            let component = URL(fileURLWithPath: Repository.path(Self.directory)).standardizedFileURL.path
            let relative = String(repeating: "../", count: overlay.standardizedFileURL.pathComponents.count - 1) + component.dropFirst()
            try """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: chat-backend}
                spec:
                  selector: {matchLabels: {app.kubernetes.io/name: chat-backend}}
                  template:
                    metadata: {labels: {app.kubernetes.io/name: chat-backend}}
                    spec:
                      containers:
                        - {name: chat-backend, image: "platform/chat-backend:7.3"}
                """.write(to: overlay.appendingPathComponent("backend.yaml"), atomically: true, encoding: .utf8)
            try "resources: [backend.yaml]\ncomponents: [\(relative)]\n"
                .write(to: overlay.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
            let built = try runProcess(kubectl, ["kustomize", overlay.path], environment: plainEnvironment(), timeout: .seconds(60))
            #expect(built.status == 0, "\(built.stderr)")
            #expect(built.stdout.components(separatedBy: "kind: Deployment").count == 2, "one Deployment: \(built.stdout)")
            #expect(built.stdout.contains("image: platform/chat-backend:7.3"))
            #expect(built.stdout.contains("image: registry.example.com/tutoring/chat-exporter:0.1.0"))
            #expect(built.stdout.contains("kind: Service") && built.stdout.contains("kind: CronJob"))
            // The platform's pods (labelled app.kubernetes.io/name: chat-backend by their own Deployment) keep their
            // labels and get the sidecar's, which the Service selects.
            #expect(built.stdout.contains("chat-exporter.tutoring-platform/sidecar: \"true\""))
            #expect(built.stdout.contains("app.kubernetes.io/name: chat-backend"))
        }
    }
}

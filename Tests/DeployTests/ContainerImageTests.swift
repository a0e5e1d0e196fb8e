import Foundation
import Testing
import TestSupport

/// deploy/container/Dockerfile: the image the manifests run must hold every shared library the binary needs.
/// No Docker engine runs here, so the check is the one that matters without it: each library the binary loads
/// (ldd), found by dpkg on this Debian 12 (the image's release), comes from a package the Dockerfile installs.
struct ContainerImageTests {
    /// The Swift runtime and Foundation are linked into the release binary (--static-swift-stdlib); a debug build
    /// loads them from the toolchain.
    private static func isSwiftRuntime(_ library: String) -> Bool {
        ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libicu", "libXCTest", "libTesting"]
            .contains { library.hasPrefix($0) }
    }

    @Test func theImageInstallsThePackageOfEveryLibraryTheBinaryLoads() throws {
        let dockerfile = try Repository.read("deploy/container/Dockerfile")
        let installLine = try #require(dockerfile.range(of: "apt-get install -y --no-install-recommends"))
        let installed = Set(dockerfile[installLine.upperBound...].prefix { $0 != "&" }
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\\" }).map(String.init))
        #expect(installed.contains("libpq5") && installed.contains("libmicrohttpd12"), "\(installed.sorted())")

        // Only on Debian (dpkg); there, scripts/test.sh installs binutils for readelf.
        guard findExecutable("dpkg") != nil else { return }
        try #require(findExecutable("readelf") != nil && findExecutable("ldd") != nil, "readelf (binutils) and ldd are needed")
        // The libraries the binary names itself (apt brings what they need in turn), found where ldd finds them.
        let dynamic = try runProcess("readelf", ["-d", Binary.chatExporter], environment: plainEnvironment(), timeout: .seconds(30))
        #expect(dynamic.status == 0, "\(dynamic.stderr)")
        let needed = Set(dynamic.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        })
        #expect(needed.contains("libpq.so.5") && needed.contains("libmicrohttpd.so.12"), "\(needed.sorted())")
        let ldd = try runProcess("ldd", [Binary.chatExporter], environment: plainEnvironment(), timeout: .seconds(30))
        #expect(ldd.status == 0, "\(ldd.stderr)")
        var packages: [String: String] = [:]
        for line in ldd.stdout.split(separator: "\n") {
            // "\tlibpq.so.5 => /lib/x86_64-linux-gnu/libpq.so.5 (0x...)"
            let parts = line.split(separator: " ")
            guard let arrow = parts.firstIndex(of: "=>"), arrow + 1 < parts.count, parts[arrow + 1].hasPrefix("/") else { continue }
            let library = String(parts[0].trimmingCharacters(in: .whitespaces))
            if Self.isSwiftRuntime(library) || !needed.contains(library) { continue }
            let path = URL(fileURLWithPath: String(parts[arrow + 1])).resolvingSymlinksInPath().path
            var owner = try runProcess("dpkg", ["-S", path], environment: plainEnvironment(), timeout: .seconds(30))
            if owner.status != 0, path.hasPrefix("/usr/lib/") {  // merged /usr: dpkg knows the /lib path
                owner = try runProcess("dpkg", ["-S", String(path.dropFirst(4))], environment: plainEnvironment(), timeout: .seconds(30))
            }
            guard owner.status == 0, let package = owner.stdout.split(separator: ":").first else {
                Issue.record("\(library) (\(path)) belongs to no Debian package: \(owner.stderr)")
                continue
            }
            packages[library] = String(package)
        }
        #expect(packages["libpq.so.5"] == "libpq5", "\(packages)")
        for (library, package) in packages.sorted(by: { $0.key < $1.key }) {
            #expect(installed.contains(package), "\(library) comes from \(package), which the Dockerfile does not install")
        }
    }

    /// The image runs as the user the manifests name, listens on the exporter's port and starts the exporter.
    @Test func theImageRunsTheExporterAsNobodyOnItsPort() throws {
        let dockerfile = try Repository.read("deploy/container/Dockerfile")
        #expect(dockerfile.contains("FROM debian:bookworm-slim"))
        #expect(dockerfile.contains("USER 65534:65534"))
        #expect(dockerfile.contains("EXPOSE 9488"))
        #expect(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/chat-exporter\"]"))
        let deployment = try Repository.read("deploy/kubernetes/sidecar.yaml")
        #expect(deployment.contains("runAsUser: 65534"))
    }
}

import Logging

extension Logger {
    /// One warning line for each of a web configuration's ``WebConfig/WebConfiguration/warnings``, at start and at
    /// every reload that applies it.
    func webConfigurationWarnings(_ warnings: [String], file: String?) {
        for warning in warnings {
            self.warning("web configuration warning", metadata: ["file": "\(file ?? "")", "warning": "\(warning)"])
        }
    }
}

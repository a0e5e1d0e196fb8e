import Exposition
import Testing

@Suite struct NegotiationTests {
    static let prometheus242 =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    @Test func prometheus242GetsOpenMetrics() {
        #expect(ExpositionFormat.negotiate(accept: Self.prometheus242) == .openMetrics)
    }

    @Test(arguments: [
        // Prometheus 2.49+ with native histograms enabled lists protobuf first; we don't serve it.
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        "application/openmetrics-text",
        "application/openmetrics-text;version=1.0.0",
        "application/openmetrics-text;version=0.0.1",
        "application/openmetrics-text; version=\"1.0.0\"",
        "Application/OpenMetrics-Text; Version=1.0.0; Charset=UTF-8",
        "application/openmetrics-text;q=0.9,text/plain;q=0.5",
        "text/plain;q=0.5,application/openmetrics-text;q=0.9",
        "application/openmetrics-text;q=0.5,text/plain;q=0.5",  // a tie goes to OpenMetrics
        "application/openmetrics-text;q=0.5,*/*;q=0.1",
        "application/openmetrics-text ; q=0.8 , text/plain ; q=0.7",
        "text/plain;q=0,application/openmetrics-text;q=0.1,*/*",  // text/plain is more specific than */*
        "application/openmetrics-text;version=1.0.0;q=1.000,text/plain;version=0.0.4;q=0.999",
        "application/openmetrics-text;version=2.0.0,application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.1",
        "garbage, application/openmetrics-text",  // a malformed range is left out, the rest counts
    ])
    func choosesOpenMetrics(accept: String) {
        #expect(ExpositionFormat.negotiate(accept: accept) == .openMetrics)
    }

    @Test(arguments: [
        "*/*",  // curl
        "text/plain",
        "text/plain;version=0.0.4",
        "text/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  // a browser
        "application/openmetrics-text;q=0.5,text/plain;q=0.9",
        "text/plain;q=0.9,application/openmetrics-text;q=0.5",
        "application/openmetrics-text;q=0.5,*/*",
        "application/openmetrics-text;q=0.5,text/*",
        "application/openmetrics-text;q=0",
        "application/openmetrics-text;q=0,text/plain;q=0",
        "application/openmetrics-text;version=2.0.0",
        "application/openmetrics-text;version=2.0.0,text/plain",
        "application/openmetrics-text;q=abc",
        "application/openmetrics-text;q=1.5",
        "application/openmetrics-text;q=-1",
        "application/openmetrics-text;version",
        "application/*",
        "application/openmetrics-textx",
        "application/json",
        "garbage",
        "\u{0}\u{1}\u{7F}ÿ",
        ";;;,,,",
        "/",
        "*/openmetrics-text",
        "",
        "   ",
    ])
    func choosesText(accept: String) {
        #expect(ExpositionFormat.negotiate(accept: accept) == .prometheusText)
    }

    /// Each OpenMetrics version has its own weight, and 0.0.1 is named in the answer when it weighs more.
    @Test(arguments: [
        (NegotiationTests.prometheus242, "version=1.0.0"),
        ("application/openmetrics-text;version=0.0.1", "version=0.0.1"),
        ("application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text;version=0.0.1", "version=0.0.1"),
        ("application/openmetrics-text;version=0.0.1;q=0.9,application/openmetrics-text;q=0.5", "version=0.0.1"),
        ("application/openmetrics-text;version=0.0.1;q=0.5,application/openmetrics-text", "version=1.0.0"),
        ("application/openmetrics-text", "version=1.0.0"),
    ])
    func openMetricsVersions(accept: String, version: String) {
        let (format, contentType) = ExpositionFormat.negotiateResponse(accept: accept)
        #expect(format == .openMetrics)
        #expect(contentType == "application/openmetrics-text; \(version); charset=utf-8")
    }

    @Test func aRefusedVersionIsNotServed() {
        let accept = "application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text;version=0.0.1;q=0,text/plain;q=0.1"
        #expect(ExpositionFormat.negotiate(accept: accept) == .prometheusText)
    }

    @Test func missingHeaderGetsText() {
        #expect(ExpositionFormat.negotiate(accept: nil) == .prometheusText)
    }

    @Test func contentTypes() {
        #expect(ExpositionFormat.prometheusText.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }
}

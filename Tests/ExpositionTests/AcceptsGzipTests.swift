import Gzip
import Testing

@Suite struct AcceptsGzipTests {
    @Test(arguments: [
        "gzip",
        "GZIP",
        "GZip",
        "x-gzip",
        "gzip, deflate, br",
        "deflate, gzip",
        "gzip;q=0.5",
        "gzip; q=1",
        "gzip;q=1.0",
        "gzip;Q=0.001",
        " gzip ; q=0.8 ",
        "*",
        "*;q=0.1",
        "deflate, *;q=0.5",
        "br;q=1.0, gzip;q=0.8, *;q=0.1",
        "identity;q=0, gzip",
        "gzip;q=0, gzip;q=0.5",
    ])
    func accepts(header: String) {
        #expect(Gzip.acceptsGzip(header))
    }

    @Test(arguments: [
        "",
        "   ",
        "identity",
        "deflate",
        "br, deflate",
        "gzip;q=0",
        "gzip;q=0.0",
        "gzip; q=0.000",
        "GZIP;Q=0",
        "*;q=0",
        "gzip;q=0, *",
        "*, gzip;q=0",
        "gzipx",
        "xgzip",
        "gzip;q=abc",
        "gzip;q=2",
        "gzip;q=-1",
        "gzip;q",
        ",,,;;;",
    ])
    func refuses(header: String) {
        #expect(!Gzip.acceptsGzip(header))
    }

    @Test func missingHeaderRefuses() {
        #expect(!Gzip.acceptsGzip(nil))
    }
}

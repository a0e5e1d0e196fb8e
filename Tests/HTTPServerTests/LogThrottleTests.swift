@testable import HTTPServer
import Testing

/// libmicrohttpd logs a line per refused connection: the same line goes out once a minute, with a count.
struct LogThrottleTests {
    @Test func theSameMessageIsLoggedOnceAnIntervalWithTheCountHeldBack() {
        let throttle = LogThrottle(interval: .seconds(60))
        let start = ContinuousClock.now
        #expect(throttle.admit("Server reached connection limit.", now: start) == "Server reached connection limit.")
        for second in 1...3 {
            #expect(throttle.admit("Server reached connection limit.", now: start + .seconds(second)) == nil)
        }
        #expect(throttle.admit("another message", now: start + .seconds(4)) == "another message", "each message has its own interval")
        #expect(
            throttle.admit("Server reached connection limit.", now: start + .seconds(61))
                == "Server reached connection limit. (3 more like it since it was last logged)")
        #expect(throttle.admit("Server reached connection limit.", now: start + .seconds(122)) == "Server reached connection limit.")
    }

    @Test func manyDistinctMessagesForgetTheOldestButKeepTheirOwnIntervals() {
        let throttle = LogThrottle(interval: .seconds(60), capacity: 2)
        let start = ContinuousClock.now
        #expect(throttle.admit("a", now: start) != nil)
        #expect(throttle.admit("b", now: start + .seconds(1)) != nil)
        #expect(throttle.admit("c", now: start + .seconds(2)) != nil, "a third message makes room by forgetting a")
        #expect(throttle.admit("b", now: start + .seconds(3)) == nil)
        #expect(throttle.admit("a", now: start + .seconds(4)) != nil)
    }
}

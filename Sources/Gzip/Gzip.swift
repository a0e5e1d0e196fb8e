import CZlib

/// gzip (RFC 1952) compression of response bodies, on zlib.
public enum Gzip {
    /// Compresses `bytes` into a single gzip member.
    ///
    /// - Parameter level: the zlib compression level, 0 (store) to 9 (smallest), -1 for zlib's
    ///   default; values outside `-1...9` are clamped into it.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let level = min(max(level, -1), 9)
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size)
        )
        // With valid arguments deflateInit2 fails only when memory runs out.
        guard status == Z_OK else { fatalError("deflateInit2 failed: \(zlibMessage(stream, status))") }
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: max(Int(deflateBound(&stream, uLong(bytes.count))), 64))
        var consumed = 0
        var produced = 0
        while true {
            if produced == output.count {
                output.append(contentsOf: repeatElement(0, count: output.count))
            }
            let status = step(&stream, bytes, &consumed, &output, &produced) { stream, isLastInput in
                deflate(&stream, isLastInput ? Z_FINISH : Z_NO_FLUSH)
            }
            if status == Z_STREAM_END { break }
            // Z_BUF_ERROR only means no progress was possible without more output space.
            guard status == Z_OK || status == Z_BUF_ERROR else {
                fatalError("deflate failed: \(zlibMessage(stream, status))")
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// Decompresses gzip data (zlib-wrapped data is accepted too). Concatenated gzip members are
    /// decompressed one after the other, as `gzip -d` does.
    ///
    /// - Throws: ``GzipError`` when the data is not gzip, is corrupt or ends too early.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        let status = inflateInit2_(&stream, autoDetectWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw GzipError(kind: .library, message: "inflateInit2 failed: \(zlibMessage(stream, status))")
        }
        defer { inflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: min(max(bytes.count * 4, 256), 64 << 20))
        var consumed = 0
        var produced = 0
        while true {
            if produced == output.count {
                output.append(contentsOf: repeatElement(0, count: output.count))
            }
            let status = step(&stream, bytes, &consumed, &output, &produced) { stream, _ in
                inflate(&stream, Z_NO_FLUSH)
            }
            switch status {
            case Z_STREAM_END:
                guard consumed < bytes.count else {
                    output.removeLast(output.count - produced)
                    return output
                }
                // Another gzip member follows.
                guard inflateReset(&stream) == Z_OK else {
                    throw GzipError(kind: .library, message: "inflateReset failed")
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress: either the output is full (grown above) or the input ran out.
                if consumed == bytes.count && produced < output.count {
                    throw GzipError(kind: .truncated, message: "input ends inside the compressed stream")
                }
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw GzipError(kind: .invalidData, message: zlibMessage(stream, status))
            default:
                throw GzipError(kind: .library, message: zlibMessage(stream, status))
            }
        }
    }

    /// One call of `code` (deflate or inflate) on the next chunk of `input` from `consumed`, writing into `output`
    /// from `produced`; advances both by what zlib took and gave. `code` learns whether the chunk ends the input.
    private static func step(
        _ stream: inout z_stream,
        _ input: [UInt8], _ consumed: inout Int,
        _ output: inout [UInt8], _ produced: inout Int,
        _ code: (inout z_stream, _ isLastInput: Bool) -> Int32
    ) -> Int32 {
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                let inputChunk = min(input.count - consumed, chunkLimit)
                let outputChunk = min(out.count - produced, chunkLimit)
                // zlib never writes through next_in; the declaration just lacks `const`.
                stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0 + consumed) }
                stream.avail_in = uInt(inputChunk)
                stream.next_out = out.baseAddress.map { $0 + produced }
                stream.avail_out = uInt(outputChunk)
                let status = code(&stream, consumed + inputChunk == input.count)
                consumed += inputChunk - Int(stream.avail_in)
                produced += outputChunk - Int(stream.avail_out)
                stream.next_in = nil
                stream.next_out = nil
                return status
            }
        }
    }

    /// windowBits for deflateInit2: a 32 KiB window (15) with a gzip wrapper (+16).
    private static let gzipWindowBits: Int32 = 15 + 16
    /// windowBits for inflateInit2: a 32 KiB window (15), gzip or zlib header detected (+32).
    private static let autoDetectWindowBits: Int32 = 15 + 32
    /// The most bytes handed to zlib in one call (its counters are 32-bit).
    private static let chunkLimit = Int(UInt32.max)

    private static func zlibMessage(_ stream: z_stream, _ status: Int32) -> String {
        if let message = stream.msg { return String(cString: message) }
        return "zlib status \(status)"
    }
}

internal import Glibc

/// C copies of strings handed to libmicrohttpd, freed together once the daemon has stopped.
final class CStringStore {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    /// Returns a C copy of `string` that lives until `freeAll()`.
    func add(_ string: String) -> UnsafePointer<CChar> {
        guard let copy = strdup(string) else { fatalError("strdup: out of memory") }
        pointers.append(copy)
        return UnsafePointer(copy)
    }

    /// Frees every copy.
    func freeAll() {
        for pointer in pointers {
            free(pointer)
        }
        pointers.removeAll()
    }
}

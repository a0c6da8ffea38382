/// Text for numbers in tables, messages and specifications: the shortest decimal that reads back
/// as the same Double (Swift's own algorithm), integers without ".0", and never "-0".
package enum DecimalText {
    package static func shortest(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// Appends the same text as UTF-8 bytes. Copying through the String's contiguous storage is
    /// several times faster than appending its `utf8` view element by element, which matters
    /// when a sweep writes tens of millions of numbers.
    package static func append(_ value: Double, to bytes: inout [UInt8]) {
        let text = shortest(value)
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: text.utf8) }
    }
}

/// Text for numbers in tables, messages and specifications: the shortest decimal that reads back
/// as the same Double (Swift's own algorithm), integers without ".0", and never "-0".
public enum DecimalText {
    public static func shortest(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }
}

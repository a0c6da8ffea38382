import Foundation
import SafetyKitNumerics

/// A model on disk: configuration, vocabulary, weights, optionally the optimizer's state, and
/// free-form metadata (task, steps, seed), with a checksum; written atomically.
///
/// Layout (little-endian): magic "SKCKPT\r\n" (the CR LF catches text-mode corruption), version
/// (UInt32), header length (UInt32), header (JSON), weights (Float32 × count), then if present
/// the optimizer step (UInt64) and moments m and v (Float32 × count each), and last an FNV-1a
/// 64-bit checksum of every byte before it.
public struct Checkpoint: Sendable {
    /// The weights and their configuration.
    public var model: TransformerModel
    /// The tokens the model reads and writes.
    public var vocabulary: Vocabulary
    /// The optimizer's state, for continuing training (absent from models written for use only).
    public var optimizer: AdamW?
    /// Free-form facts about the model: task, steps, seed.
    public var metadata: [String: String]

    /// The file's first eight bytes.
    public static let magic: [UInt8] = Array("SKCKPT\r\n".utf8)
    /// The layout version this SafetyKit writes and reads.
    public static let version: UInt32 = 1

    /// A checkpoint of a model.
    public init(model: TransformerModel, vocabulary: Vocabulary, optimizer: AdamW? = nil, metadata: [String: String] = [:]) {
        self.model = model
        self.vocabulary = vocabulary
        self.optimizer = optimizer
        self.metadata = metadata
    }

    struct Header: Codable {
        var configuration: ModelConfiguration
        var vocabulary: [String]
        var parameterCount: Int
        var hasOptimizer: Bool
        var metadata: [String: String]
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var bytes = Self.magic
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func append(_ floats: [Float]) { for f in floats { append(f.bitPattern) } }
        let header = Header(configuration: model.configuration, vocabulary: vocabulary.tokens, parameterCount: model.parameterCount,
                            hasOptimizer: optimizer != nil, metadata: metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = Array((try? encoder.encode(header)) ?? Data())
        append(Self.version)
        append(UInt32(json.count))
        bytes += json
        append(model.parameters)
        if let optimizer {
            append(UInt64(optimizer.step))
            append(optimizer.m)
            append(optimizer.v)
        }
        append(Self.checksum(bytes[...]))
        return bytes
    }

    /// Writes atomically: a temporary file beside the target (removed if the process is
    /// interrupted, see `TemporaryFiles`), then a rename.
    public func write(to path: String) throws(ReasonerError) {
        if let reason = TemporaryFiles.writeAtomically(encoded(), to: path) { throw .cannotWrite(path: path, reason: reason) }
    }

    /// Reads and verifies the checkpoint at `path` (signature, version, size and checksum).
    public static func read(path: String) throws(ReasonerError) -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingCheckpoint(path: path) }
        return try decode(Array(data), path: path)
    }

    /// Decodes and verifies checkpoint bytes; `path` names them in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(ReasonerError) -> Checkpoint {
        func bad(_ reason: String) -> ReasonerError { .badCheckpoint(path: path, reason: reason) }
        guard bytes.count >= magic.count + 16, Array(bytes[0..<magic.count]) == magic else {
            throw bad("it does not start with the SafetyKit checkpoint signature")
        }
        let stored = bytes[(bytes.count - 8)...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard stored == checksum(bytes[..<(bytes.count - 8)]) else { throw bad("the checksum does not match: the file is truncated or corrupted") }
        var offset = magic.count
        func integer<T: FixedWidthInteger>(_: T.Type) -> T {
            var value: T = 0
            for k in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + k]) << (8 * k) }
            offset += MemoryLayout<T>.size
            return value
        }
        let version = integer(UInt32.self)
        guard version == Self.version else { throw bad("it is version \(version); this SafetyKit reads version \(Self.version)") }
        let headerLength = Int(integer(UInt32.self))
        guard offset + headerLength <= bytes.count - 8,
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[offset..<(offset + headerLength)])) else {
            throw bad("its header cannot be read")
        }
        offset += headerLength
        let count = header.parameterCount
        let expected = offset + 4 * count + (header.hasOptimizer ? 8 + 8 * count : 0) + 8
        guard expected == bytes.count else { throw bad("its size does not match its header (\(bytes.count) bytes, expected \(expected))") }
        func floats() -> [Float] { (0..<count).map { _ in Float(bitPattern: integer(UInt32.self)) } }
        let parameters = floats()
        var optimizer: AdamW? = nil
        if header.hasOptimizer {
            var adam = AdamW(parameterCount: count)
            adam.step = Int(integer(UInt64.self))
            adam.m = floats()
            adam.v = floats()
            optimizer = adam
        }
        let model: TransformerModel
        do { model = try TransformerModel(configuration: header.configuration, parameters: parameters) } catch { throw bad("\(error)") }
        guard header.vocabulary.count == header.configuration.vocabularySize else { throw bad("its vocabulary does not match its configuration") }
        return Checkpoint(model: model, vocabulary: Vocabulary(tokens: header.vocabulary), optimizer: optimizer, metadata: header.metadata)
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}

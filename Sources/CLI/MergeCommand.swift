import SafetyKitAnalysis
import Foundation

/// `safetykit merge`: joins the shard files of a sweep into the unsharded output.
enum MergeCommand {
    static let spec = CommandSpec(
        name: "merge",
        summary: "Join the shard files written by 'safetykit offswitch --sweep --shard K/N' into exactly the file the unsharded sweep writes.",
        usage: "safetykit merge SHARD.csv... [--out FILE]",
        options: [
            .init(name: "out", value: "FILE", help: "Where to write the merged CSV (atomically).", defaultValue: "stdout"),
            .init(name: "quiet", value: nil, help: "No summary on stderr."),
        ],
        discussion: """
        Each shard is a plain CSV file with its record beside it (FILE.shard: which shard of which sweep,
        and the CSV's size and digest). Shards may be given in any order. Merge checks each CSV against
        its record (a shard cut short or edited is refused), that all come from the same sweep, that every
        K from 1 to N is present once, and that each has all its rows; otherwise it writes nothing and
        exits with status 65.

        Example:
          for k in 1 2 3 4; do safetykit offswitch --sweep --shard $k/4 --out part-$k.csv; done
          safetykit merge part-*.csv --out sweep.csv
        """,
        positionals: "SHARD.csv...")

    static func run(_ arguments: [String]) throws -> ExitCode {
        let args = try spec.parse(arguments)
        if args.help { Terminal.printOut(spec.help); return .success }
        guard !args.positionals.isEmpty else {
            throw CLIError.usage("merge needs the shard files: safetykit merge SHARD.csv... [--out FILE]")
        }
        let output = try OutputFile(path: args.string("out"))
        let rows = try ShardMerge.merge(args.positionals, into: output)
        try output.commit()
        if !args.flag("quiet") {
            Terminal.printError("merged \(args.positionals.count) shards, \(rows) rows, into \(args.string("out") ?? "stdout")")
        }
        return .success
    }
}

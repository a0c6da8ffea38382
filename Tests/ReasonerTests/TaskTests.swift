import Testing
@testable import SafetyKitReasoner
@testable import SafetyKitNumerics

@Suite("Tasks and the tokenizer")
struct TaskTests {
    @Test func additionMatchesTheScratchpadOfTheSpec() throws {
        let task = AdditionTask()
        let problem = try task.problem(parsing: "964+494")
        #expect(task.prompt(problem) == "Input:\n9 6 4 + 4 9 4\nTarget:\n")
        #expect(task.target(problem) == """
        <scratch>
        9 6 4 + 4 9 4 , C: 0
        6 + 9 , 8 C: 0
        9 + 4 , 5 8 C: 1
        , 4 5 8 C: 1
        1 4 5 8
        </scratch>
        1 4 5 8
        """)
        #expect(task.isCorrect(task.target(problem), for: problem))
    }

    @Test func generatedProblemsAreRightAtEveryDifficulty() throws {
        var stream = RandomStream(seed: 1)
        for task in TaskRegistry.all {
            for d in task.difficulties {
                for _ in 0..<50 {
                    let problem = task.problem(difficulty: d, using: &stream)
                    #expect(problem.difficulty == d)
                    let completion = task.target(problem)
                    #expect(task.isCorrect(completion, for: problem))
                    let solution = try #require(task.parse(completion))
                    #expect(task.checkSteps(solution.rationale, of: problem).allSatisfy { $0 })
                    // A key reads back as the same problem; a shifted operand's trailing zeros
                    // then count as digits, as the key cannot tell them from significant ones.
                    var parsed = try task.problem(parsing: problem.key)
                    if (task as? AdditionTask)?.shifted == true { parsed.difficulty = d }
                    #expect(parsed == problem)
                    _ = try task.vocabulary.encode(task.prompt(problem) + completion)
                }
            }
        }
        var s = RandomStream(seed: 2)
        let a = AdditionTask().problem(difficulty: 5, using: &s)
        let sides = a.key.split(separator: "+").map { Int($0)! }
        #expect(Int(a.answer.replacingOccurrences(of: " ", with: ""))! == sides[0] + sides[1])
    }

    @Test func modularChainWritesEveryIntermediate() throws {
        let task = ModularChainTask()
        let problem = try task.problem(parsing: "3+4*5+2 mod 7")
        #expect(task.target(problem) == "<scratch>\n3 + 4 = 0\n0 * 5 = 0\n0 + 2 = 2\n</scratch>\n2")
        #expect(task.checkSteps(["3 + 4 = 0", "0 * 5 = 1", "1 + 2 = 3"], of: problem) == [true, false, false])
    }

    @Test func malformedOutputsAreWrongNotCrashes() throws {
        let task = AdditionTask()
        let problem = try task.problem(parsing: "12+34")
        for bad in ["", "4 6", "<scratch>\n</scratch>", "<scratch>\n1 2 + 3 4 , C: 0\n</scratch>\n", "<scratch>\nx\n</scratch>\n4 6\nextra",
                    "</scratch>\n4 6", "<scratch>\n</scratch>\n4 a"] {
            #expect(!task.isCorrect(bad, for: problem), "\(bad.debugDescription)")
        }
        #expect(task.isCorrect("<scratch>\nanything\n</scratch>\n4 6", for: problem))   // answer-only check
    }

    @Test func badProblemsAndUnknownTokensAreErrors() throws {
        #expect(throws: ReasonerError.self) { try AdditionTask().problem(parsing: "12-34") }
        #expect(throws: ReasonerError.self) { try AdditionTask().problem(parsing: "123456789+1") }
        #expect(throws: ReasonerError.self) { try AdditionTask().problem(parsing: "+1") }
        #expect(throws: ReasonerError.self) { try ModularChainTask().problem(parsing: "3+4 mod 11") }
        #expect(throws: ReasonerError.unknownToken("x", context: "the input")) { try Vocabulary.standard.encode("1 + x") }
        #expect(throws: ReasonerError.self) { try TaskRegistry.task(named: "sorting") }
        let v = Vocabulary.standard
        let text = "Input:\n1 + 2\nTarget:\n"
        #expect(v.decode(try v.encode(text)) == text)
    }
}

@Suite("Held-out sets and training sources")
struct HeldOutTests {
    @Test func heldOutSetsLeaveMostOfASmallProblemSpaceForTraining() throws {
        let task = AdditionTask()
        let heldOut = Evaluation.problems(task: task, difficulties: [1, 2], count: 200, seed: 1)
        #expect(heldOut.filter { $0.difficulty == 1 }.count == 20)    // a fifth of the 100 one-digit problems
        #expect(heldOut.filter { $0.difficulty == 2 }.count == 200)
        #expect(Set(heldOut.map(\.key)).count == heldOut.count)
        // The first problems of a difficulty do not depend on the count or the other difficulties.
        let fewer = Evaluation.problems(task: task, difficulties: [2], count: 50, seed: 1)
        #expect(fewer.map(\.key) == Array(heldOut.filter { $0.difficulty == 2 }.prefix(50)).map(\.key))
        func prompts(excluding: Set<String>) throws -> Set<String> {
            let source = ProblemSource(task: task, difficulties: [1, 2], excluding: excluding, seed: 1, fixedPerDifficulty: nil)
            var seen = Set<String>()
            for step in 0..<200 {
                for example in try source.batch(16, step: step, vocabulary: .standard) {
                    seen.insert(Vocabulary.standard.decode(Array(example.tokens.prefix(example.promptLength))))
                }
            }
            return seen
        }
        let trained = try prompts(excluding: Set(heldOut.map(\.key)))
        #expect(trained.count > 500)
        #expect(heldOut.allSatisfy { !trained.contains(task.prompt($0)) })
        // The control: without the exclusion, held-out problems do come up, so the check above can fail.
        let untouched = try prompts(excluding: [])
        #expect(heldOut.contains { untouched.contains(task.prompt($0)) })
        let source = ProblemSource(task: task, difficulties: [1, 2], excluding: Set(heldOut.map(\.key)), seed: 1, fixedPerDifficulty: nil)
        #expect(try source.batch(16, step: 7, vocabulary: .standard) == source.batch(16, step: 7, vocabulary: .standard))
    }

    @Test func fixedSeedSetsHoldTheirSize() throws {
        let source = ProblemSource(task: AdditionTask(), difficulties: [3, 4], excluding: [], seed: 2, fixedPerDifficulty: 40)
        #expect(source.fixed?.count == 80)
        let perLength = ProblemSource(task: AdditionTask(), difficulties: [1, 2, 3], excluding: [], seed: 2, fixedSizes: [30, 50, 7])
        #expect(perLength.fixed.map { set in [1, 2, 3].map { d in set.filter { $0.difficulty == d }.count } } == [30, 50, 7])
        #expect(AdditionTask().problemCount(difficulty: 1) == 100 && AdditionTask().problemCount(difficulty: 2) == 8100)
    }

    @Test func paddedAdditionKeepsOneLayoutForEveryLength() throws {
        let task = AdditionTask(width: 6)
        let p = try task.problem(parsing: "964+494")
        #expect(p.text == "0 0 0 9 6 4 + 0 0 0 4 9 4" && p.answer == "0 0 0 1 4 5 8" && p.difficulty == 3 && p.key == "964+494")
        let gold = task.solve(p)
        #expect(gold.rationale.count == 6 + 2 && gold.rationale.last == "0 0 0 1 4 5 8")
        #expect(task.checkSteps(gold.rationale, of: p).allSatisfy { $0 })
        #expect(task.isCorrect(task.target(p), for: p))
        // Every length has the same number of tokens.
        var stream = RandomStream(seed: 1)
        let lengths = Set((1...6).map { d in try! Vocabulary.standard.encode(task.target(task.problem(difficulty: d, using: &stream))).count })
        #expect(lengths.count == 1)
        #expect(throws: ReasonerError.self) { try task.problem(parsing: "1234567+1") }
        // The unpadded task is unchanged.
        #expect(AdditionTask().solve(try AdditionTask().problem(parsing: "964+494")).rationale.last == "1 4 5 8")
    }

    @Test func shiftedAdditionPutsDigitsInEveryPlaceOfTheField() throws {
        let task = AdditionTask(width: 6, shifted: true)
        #expect(task.name == "addition-shifted")
        #expect(try TaskRegistry.task(named: "addition-shifted").name == task.name)
        var stream = RandomStream(seed: 3)
        var places = Set<Int>()
        for _ in 0..<400 {
            let p = task.problem(difficulty: 2, using: &stream)
            #expect(p.difficulty == 2)
            let operands = p.key.split(separator: "+").map(String.init)
            // Two significant digits, then 0 to 4 zeros: the value is a 2-digit number times 10^k.
            for o in operands {
                #expect((2...6).contains(o.count) && o.first != "0" && o.dropFirst(2).allSatisfy { $0 == "0" })
                let field = String(repeating: "0", count: 6 - o.count) + o
                for (i, c) in field.enumerated() where c != "0" { places.insert(i) }
            }
            // The gold rationale is right and its steps check.
            #expect(task.isCorrect(task.target(p), for: p) && task.checkSteps(task.solve(p).rationale, of: p).allSatisfy { $0 })
            let sum = operands.map { Int($0)! }.reduce(0, +)
            #expect(Int(p.answer.replacingOccurrences(of: " ", with: "")) == sum)
        }
        #expect(places == Set(0..<6))
        // Parsed problems are not shifted; shifts multiply the problem count.
        #expect(try task.problem(parsing: "12+34").text == "0 0 0 0 1 2 + 0 0 0 0 3 4")
        #expect(task.problemCount(difficulty: 2) == 8100 * 25)
        #expect(AdditionTask(shifted: true).name == "addition")
    }

    @Test func fieldWidthsOtherThanSixAreNamedWithASuffix() throws {
        let wide = try TaskRegistry.task(named: "addition-shifted-9")
        #expect(wide.name == "addition-shifted-9" && wide.difficulties == 1...9)
        #expect((wide as? AdditionTask)?.shifted == true)
        #expect(try TaskRegistry.task(named: "addition-padded-8").problem(parsing: "12+3").text == "0 0 0 0 0 0 1 2 + 0 0 0 0 0 0 0 3")
        #expect(try TaskRegistry.task(named: "addition-padded-6").name == "addition-padded")
        // A 10- or 12-digit field holds more problems than Int.max; held-out sets still size.
        let widest = try TaskRegistry.task(named: "addition-padded-12")
        #expect(widest.problemCount(difficulty: 12) > Double(Int.max))
        #expect(Evaluation.heldOutCount(task: widest, difficulty: 12, requested: 200) == 200)
        #expect(Evaluation.heldOutCount(task: AdditionTask(), difficulty: 1, requested: 200) == 20)
        #expect(Evaluation.heldOutCount(task: AdditionTask(), difficulty: 1, requested: 0) == 0)
        for bad in ["addition-shifted-1", "addition-shifted-13", "addition-padded-", "addition-padded-x"] {
            #expect(throws: ReasonerError.self) { try TaskRegistry.task(named: bad) }
        }
    }
}

@Suite("Task compatibility")
struct TaskCompatibilityTests {
    /// A checkpoint is used only on its own task, or on another layout of the same addition field.
    @Test func onlyOneFieldsLayoutsAreInterchangeable() {
        #expect(TaskRegistry.isCompatible(trained: "addition", used: "addition"))
        #expect(TaskRegistry.isCompatible(trained: "addition-shifted", used: "addition-padded"))
        #expect(TaskRegistry.isCompatible(trained: "addition-shifted-10", used: "addition-padded-10"))
        #expect(TaskRegistry.isCompatible(trained: "addition-padded-6", used: "addition-shifted"))
        #expect(!TaskRegistry.isCompatible(trained: "addition", used: "modchain"))
        #expect(!TaskRegistry.isCompatible(trained: "addition", used: "addition-padded"))
        #expect(!TaskRegistry.isCompatible(trained: "addition-shifted", used: "addition-padded-10"))
        // The mixture's model serves each member, not the other way round.
        #expect(TaskRegistry.isCompatible(trained: "mixed", used: "subtraction"))
        #expect(TaskRegistry.isCompatible(trained: "mixed", used: "wordproblem"))
        #expect(!TaskRegistry.isCompatible(trained: "subtraction", used: "mixed"))
        #expect(!TaskRegistry.isCompatible(trained: "mixed", used: "addition-padded"))
    }

    /// A task's vocabulary extends the standard one, keeping its ids; a member accepts the mixture's.
    @Test func taskVocabulariesExtendTheStandardOne() {
        #expect(AdditionTask().vocabulary == .standard && ModularChainTask().vocabulary == .standard)
        for task in TaskRegistry.all {
            #expect(Array(task.vocabulary.tokens.prefix(Vocabulary.standard.count)) == Vocabulary.standard.tokens)
            #expect(Set(task.vocabulary.tokens).count == task.vocabulary.count)
        }
        #expect(SubtractionTask().vocabulary.count == Vocabulary.standard.count + 2)
        #expect(TaskRegistry.vocabularies(usableOn: SubtractionTask()) == [SubtractionTask().vocabulary, MixedTask().vocabulary])
        #expect(TaskRegistry.vocabularies(usableOn: AdditionTask()) == [.standard, MixedTask().vocabulary])
        #expect(TaskRegistry.vocabularies(usableOn: AdditionTask(width: 6)) == [.standard])
    }
}

/// Multiplication by one digit (issue 21's first out-of-domain task): the scratchpad by hand,
/// the product against integer arithmetic, the checker and the parser's refusals.
@Suite("Multiplication by one digit")
struct MultiplicationTaskTests {
    let task = MultiplicationTask()

    @Test func theScratchpadByHand() throws {
        let p = try task.problem(parsing: "47*3")
        #expect(p.text == "4 7 * 3" && p.answer == "1 4 1" && p.difficulty == 2 && p.key == "47*3")
        #expect(task.solve(p).rationale == ["4 7 * 3 , C: 0", "4 * 3 , 1 C: 2", ", 4 1 C: 1", "1 4 1"])
        #expect(task.target(p) == "<scratch>\n4 7 * 3 , C: 0\n4 * 3 , 1 C: 2\n, 4 1 C: 1\n1 4 1\n</scratch>\n1 4 1")
        #expect(task.isCorrect(task.target(p), for: p))
        #expect(try task.problem(parsing: "47*0").answer == "0" && task.solve(try task.problem(parsing: "5*2")).rationale.last == "1 0")
        // Every token is in the standard vocabulary.
        #expect((try? Vocabulary.standard.encode(task.prompt(p) + task.target(p))) != nil)
    }

    @Test func productsMatchIntegerArithmetic() {
        var stream = RandomStream(seed: 3)
        for d in 1...8 {
            for _ in 0..<50 {
                let p = task.problem(difficulty: d, using: &stream)
                let sides = p.key.split(separator: "*")
                #expect(p.answer.replacingOccurrences(of: " ", with: "") == String(Int(sides[0])! * Int(sides[1])!), "\(p.key)")
                #expect(sides[0].count == d && p.difficulty == d)
                #expect(task.checkSteps(task.solve(p).rationale, of: p).allSatisfy { $0 })
            }
        }
    }

    @Test func theCheckerAndTheParser() throws {
        let p = try task.problem(parsing: "47*3")
        #expect(task.checkSteps(["4 7 * 3 , C: 0", "4 * 3 , 2 C: 2", ", 4 1 C: 1"], of: p) == [true, false, true])
        #expect(task.fault(of: "4 * 3 , 2 C: 2", against: "4 * 3 , 1 C: 2") == .result)
        #expect(task.fault(of: "4 * 3 , 1 C: 1", against: "4 * 3 , 1 C: 2") == .carry)
        #expect(Feedback.judge("<scratch>\n4 7 * 3 , C: 0\n4 * 3 , 1 C: 1\n, 3 1 C: 0\n3 1\n</scratch>\n3 1", problem: p, task: task) == .step(2, .carry))
        for bad in ["47*", "*3", "47*34", "4a*3", "123456789*2", "47+3"] {
            #expect(throws: ReasonerError.self) { try task.problem(parsing: bad) }
        }
        #expect(try TaskRegistry.task(named: "multiplication").name == "multiplication")
        #expect(task.problemCount(difficulty: 1) == 100 && task.problemCount(difficulty: 3) == 9000)
    }
}

/// Subtraction with borrows: the scratchpad by hand, differences against integer arithmetic, the
/// borrows counted, and the parser's refusals.
@Suite("Subtraction with borrows")
struct SubtractionTaskTests {
    let task = SubtractionTask()

    @Test func theScratchpadByHand() throws {
        let p = try task.problem(parsing: "52-17")
        #expect(p.text == "5 2 - 1 7" && p.answer == "3 5" && p.difficulty == 2 && p.key == "52-17")
        #expect(task.target(p) == "<scratch>\n5 2 - 1 7 , B: 0\n5 - 1 , 5 B: 1\n, 3 5 B: 0\n3 5\n</scratch>\n3 5")
        // 1000 - 999: a borrow runs through every place; the leading zeros go from the answer only.
        let q = try task.problem(parsing: "1000-999")
        #expect(task.solve(q).rationale == ["1 0 0 0 - 9 9 9 , B: 0", "0 - 9 , 1 B: 1", "0 - 9 , 0 1 B: 1", "1 - 0 , 0 0 1 B: 1",
                                            ", 0 0 0 1 B: 0", "1"])
        #expect(q.answer == "1" && task.confidenceClass(of: q) == "d4 b3")
        #expect(try task.problem(parsing: "7-7").answer == "0")
        #expect(task.isCorrect(task.target(q), for: q))
        #expect(task.fault(of: "0 - 9 , 1 B: 0", against: "0 - 9 , 1 B: 1") == .carry)
        #expect(task.fault(of: "0 - 9 , 2 B: 1", against: "0 - 9 , 1 B: 1") == .result)
        #expect(throws: ReasonerError.self) { try Vocabulary.standard.encode(task.prompt(p)) }
    }

    @Test func differencesMatchIntegerArithmetic() {
        var stream = RandomStream(seed: 4)
        var borrowed = 0
        for d in 1...8 {
            for _ in 0..<50 {
                let p = task.problem(difficulty: d, using: &stream)
                let sides = p.key.split(separator: "-").map { Int($0)! }
                #expect(sides[0] >= sides[1] && p.key.split(separator: "-").allSatisfy { $0.count == d })
                #expect(p.answer.replacingOccurrences(of: " ", with: "") == String(sides[0] - sides[1]), "\(p.key)")
                if task.confidenceClass(of: p).hasSuffix("b0") == false { borrowed += 1 }
            }
        }
        #expect(borrowed > 200)   // most problems borrow at least once
        #expect(task.problemCount(difficulty: 1) == 55 && task.problemCount(difficulty: 2) == 90 * 91 / 2)
    }

    @Test func badProblemsAreRefused() {
        for bad in ["17-52", "52-", "-3", "5a-1", "123456789-1", "52+17", "5-2-1"] {
            #expect(throws: ReasonerError.self) { try task.problem(parsing: bad) }
        }
    }
}

/// Two-step word problems: both templates by hand, every answer against the arithmetic, no
/// negative intermediate, keys that read back, and the parser's refusals.
@Suite("Two-step word problems")
struct WordProblemTaskTests {
    let task = WordProblemTask()

    @Test func bothTemplatesByHand() throws {
        let p = try task.problem(parsing: "Ann:apples:34:finds:25:loses:12")
        #expect(p.text == "Ann has 3 4 apples , finds 2 5 , then loses 1 2 . how many ?")
        #expect(task.solve(p).rationale == ["3 4 + 2 5 = 5 9", "5 9 - 1 2 = 4 7"] && p.answer == "4 7" && p.difficulty == 2)
        let q = try task.problem(parsing: "Bob:pens:3:bags:12:gives:5")
        #expect(q.text == "Bob has 3 bags of 1 2 pens , then gives 5 . how many ?")
        #expect(task.solve(q).rationale == ["1 2 * 3 = 3 6", "3 6 - 5 = 3 1"] && q.answer == "3 1")
        #expect(task.confidenceClass(of: q) == "d2 bags" && task.confidenceClass(of: p) == "d2")
        #expect(task.checkSteps(["3 4 + 2 5 = 5 9", "5 9 - 1 2 = 4 6"], of: p) == [true, false])
        #expect(task.isCorrect(task.target(p), for: p) && !task.isCorrect("<scratch>\n</scratch>\n4 6", for: p))
    }

    @Test func generatedStoriesAddUpAndNeverGoBelowZero() throws {
        var stream = RandomStream(seed: 5)
        var bags = 0, losses = 0
        for d in task.difficulties {
            for _ in 0..<200 {
                let p = task.problem(difficulty: d, using: &stream)
                let story = task.story(of: p)
                var held = story.start * (story.bags ?? 1)
                for change in story.changes {
                    held += WordProblemTask.losses.contains(change.verb) ? -change.amount : change.amount
                    #expect(held >= 0)
                    if WordProblemTask.losses.contains(change.verb) { losses += 1 }
                }
                #expect(p.answer.replacingOccurrences(of: " ", with: "") == String(held))
                #expect(([story.start] + story.changes.map(\.amount)).allSatisfy { String($0).count == d || (d == 1 && $0 < 10) })
                if story.bags != nil { bags += 1 }
                #expect(try task.problem(parsing: p.key) == p)
            }
        }
        #expect(bags > 100 && losses > 200)
    }

    @Test func badStoriesAreRefused() {
        for bad in ["Ann:apples:3:finds:4", "Zed:apples:3:finds:4:loses:1", "Ann:pears:3:finds:4:loses:1", "Ann:apples:3:runs:4:loses:1",
                    "Ann:apples:3:loses:4:finds:1", "Ann:apples:1234:finds:4:loses:1", "Ann:apples:12:bags:3:loses:1", "Ann:apples:x:finds:4:loses:1"] {
            #expect(throws: ReasonerError.self) { try task.problem(parsing: bad) }
        }
    }
}

/// The mixture: each member's problems in its own layout, read back from their keys.
@Suite("The mixed task")
struct MixedTaskTests {
    let task = MixedTask()

    @Test func problemsComeFromEveryMemberAndSolveAsTheirs() throws {
        #expect(task.difficulties == 1...3)
        var stream = RandomStream(seed: 6)
        var seen: [String: Int] = [:]
        for _ in 0..<500 {
            let p = task.problem(difficulty: 2, using: &stream)
            let member = task.member(of: p)
            seen[member.name, default: 0] += 1
            #expect(task.solve(p) == member.solve(p) && task.target(p) == member.target(p))
            #expect(try member.problem(parsing: p.key) == p)
            #expect(task.confidenceClass(of: p).hasPrefix(member.name + " "))
            _ = try task.vocabulary.encode(task.prompt(p) + task.target(p))
        }
        #expect(Set(seen.keys) == Set(task.members.map(\.name)))
        #expect(seen.values.allSatisfy { $0 > 60 })
        #expect(task.member(of: try task.problem(parsing: "52-17")).name == "subtraction")
        #expect(task.member(of: try task.problem(parsing: "3+4 mod 5")).name == "modchain")
        #expect(throws: ReasonerError.self) { try task.problem(parsing: "52/17") }
    }

    /// No member reads another's key, so the member is never in doubt.
    @Test func membersRefuseEachOthersKeys() {
        var stream = RandomStream(seed: 7)
        for owner in task.members {
            for _ in 0..<20 {
                let key = owner.problem(difficulty: 2, using: &stream).key
                let readers = task.members.filter { (try? $0.problem(parsing: key)) != nil }.map(\.name)
                #expect(readers == [owner.name], "\(key)")
            }
        }
    }
}

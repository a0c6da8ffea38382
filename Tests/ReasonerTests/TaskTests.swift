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
                    _ = try Vocabulary.standard.encode(task.prompt(problem) + completion)
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

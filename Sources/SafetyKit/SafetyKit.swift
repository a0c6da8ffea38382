// The umbrella module: `import SafetyKit` brings the public API of every library module.
//
// - SafetyKitNumerics: quadrature, the normal distribution, seeded random streams, parallel loops, BLAS.
// - SafetyKitGames: the off-switch game, its priors and humans, sweeps, Monte Carlo, and its relatives.
// - SafetyKitReasoner: the transformer, tasks, sampling, checkpoints and the self-improvement loops.
// - SafetyKitAnalysis: calibration, the corrigibility probe, tables, charts, run recorders and the study.
@_exported import SafetyKitNumerics
@_exported import SafetyKitGames
@_exported import SafetyKitReasoner
@_exported import SafetyKitAnalysis

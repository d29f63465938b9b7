// Preloaded into a baseline server while profiling (BENCH_PROFILE): a SIGTERM
// then exits normally, so Node writes the CPU profile it was asked for.
process.on('SIGTERM', () => process.exit(0));

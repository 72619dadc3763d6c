using BenchmarkDotNet.Running;
using Nectr.Benchmarks.Knowledge;
using Nectr.Benchmarks.LoadDriver;
using Nectr.Benchmarks.Parser;

// intake  → HTTP load driver for the webhook endpoint (see bench/run-intake.sh)
// intake-writer → the durable write alone: the real WebhookIntake on SQLite, no HTTP (CPU per delivery)
// intake-burst → many large, badly signed posts at once; RSS of the Nectr process (see bench/run-intake-burst.sh)
// mcp     → MCP tools/call load over Streamable HTTP (see bench/run-mcp.sh); mcp-seed → the database it reads
// knowledge → seed a synthetic knowledge index, p95 per knowledge query on SQLite (and PostgreSQL, see PERFORMANCE.md)
// numstat → parse a diff and print git-apply-style numstat lines (correctness cross-check and process timing)
// parser  → in-process parser throughput and memory on one diff file
// stage2  → Stopwatch breakdown of the review engine's stage 2 (plan + prompts) on the synthetic PRs
// anything else → BenchmarkDotNet
return args.FirstOrDefault() switch
{
    "intake" => await IntakeLoad.RunAsync(args[1..]),
    "intake-burst" => await IntakeBurst.RunAsync(args[1..]),
    "intake-writer" => await Nectr.Benchmarks.Intake.IntakeWriterLoad.RunAsync(args[1..]),
    "mcp" => await McpLoad.RunAsync(args[1..]),
    "mcp-seed" => await McpSeed.RunAsync(args[1..]),
    "knowledge" => await KnowledgeQueryLoad.RunAsync(args[1..]),
    "numstat" => NumstatCommand.Run(args[1..]),
    "parser" => ParserThroughput.Run(args[1..]),
    "stage2" => Nectr.Benchmarks.Engine.StageTwoProfile.Run(args[1..]),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(IntakeLoad).Assembly).Run(args);
    return 0;
}

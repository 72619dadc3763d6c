using Nectr.Cli;

namespace Nectr.Tests.Cli;

/// <summary>Which arguments make Nectr.dll a command and which leave it the web server it has always been.</summary>
public sealed class CommandDispatchTests
{
    [Theory]
    [InlineData]
    [InlineData("--urls", "http://127.0.0.1:8080")]
    [InlineData("/urls", "http://127.0.0.1:8080")]
    [InlineData("urls=http://127.0.0.1:8080")]
    [InlineData("--environment", "Development")]
    public void No_command_or_asp_net_core_switches_run_the_server(params string[] args) =>
        Assert.False(NectrCommandLine.IsCommand(args));

    [Theory]
    [InlineData("review", "--diff", "-")]
    [InlineData("migrate")]
    [InlineData("version")]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("reveiw")] // a typo gets a suggestion, not a server
    [InlineData("[suggest:11]", "review --fo")]
    public void A_command_help_version_typo_or_completion_request_runs_the_command_line(params string[] args) =>
        Assert.True(NectrCommandLine.IsCommand(args));
}

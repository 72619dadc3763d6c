using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

/// <summary>The .env dialect: multi-line quoted values (a GitHub App's PEM key), escapes, literal single quotes, export, comments.</summary>
public sealed class DotEnvTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nectr-dotenv-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_pem_private_key_quoted_over_several_lines_is_read_whole_and_the_lines_after_it_still_count()
    {
        using var rsa = RSA.Create(2048); // a throwaway key made for this test
        var pem = rsa.ExportRSAPrivateKeyPem();
        Assert.Contains('\n', pem);

        var config = Read(
            "GITHUB_APP_ID=12345\n" +
            $"GITHUB_APP_PRIVATE_KEY=\"{pem}\"  # the App's key\n" +
            "PORT=9001\n");

        var key = config["GITHUB_APP_PRIVATE_KEY"]!;
        Assert.Equal(pem, key);
        using var imported = RSA.Create();
        imported.ImportFromPem(key);
        Assert.Equal(rsa.ExportRSAPublicKeyPem(), imported.ExportRSAPublicKeyPem());
        Assert.Equal("12345", config["GITHUB_APP_ID"]);
        Assert.Equal("9001", config["PORT"]);
    }

    [Fact]
    public void A_pem_key_on_one_line_with_escaped_newlines_reads_the_same_and_crlf_files_read_like_lf_ones()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();

        var escaped = Read($"export KEY=\"{pem.Replace("\n", "\\n", StringComparison.Ordinal)}\"\r\nNEXT=1\r\n");
        var crlf = Read($"KEY='{pem.Replace("\n", "\r\n", StringComparison.Ordinal)}'\r\nNEXT=1\r\n");

        Assert.Equal(pem, escaped["KEY"]);
        Assert.Equal(pem, crlf["KEY"]);
        Assert.Equal("1", escaped["NEXT"]);
        Assert.Equal("1", crlf["NEXT"]);
    }

    [Fact]
    public void Double_quotes_understand_escapes_and_single_quotes_are_literal()
    {
        var config = Read("""
            QUOTED="say \"hi\" to C:\\nectr\\x\tend"
            LITERAL='no \n escapes, "double" quotes kept' # comment
            UNKNOWN="\q stays"
            """);

        Assert.Equal("say \"hi\" to C:\\nectr\\x\tend", config["QUOTED"]);
        Assert.Equal("no \\n escapes, \"double\" quotes kept", config["LITERAL"]);
        Assert.Equal("\\q stays", config["UNKNOWN"]);
    }

    [Fact]
    public void Comments_blank_lines_export_and_unquoted_values_follow_the_common_dialect()
    {
        var config = Read("""
            # a comment line

              export   PORT = 9001
            LOG_LEVEL=Debug # a trailing comment
            HASH=abc#def
            EMPTY=
            NOT A SETTING
            =no key
            """);

        Assert.Equal("9001", config["PORT"]);
        Assert.Equal("Debug", config["LOG_LEVEL"]);
        Assert.Equal("abc#def", config["HASH"]);
        Assert.Equal("", config["EMPTY"]);
        Assert.Equal(4, config.AsEnumerable().Count());
    }

    [Fact]
    public void A_quote_that_never_closes_stops_start_up_naming_the_file_and_line_without_quoting_the_value()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportRSAPrivateKeyPem();

        var error = Assert.Throws<InvalidConfigurationException>(() => Read($"GITHUB_APP_ID=1\n# the key\nGITHUB_APP_PRIVATE_KEY=\"{pem}\nPORT=9001\n"));
        var single = Assert.Throws<InvalidConfigurationException>(() => Read("A='unterminated\nB=2\n"));

        var path = Path.Combine(_directory, ".env");
        Assert.Equal([$"{path} line 3: the value of GITHUB_APP_PRIVATE_KEY opens a \" quote that never closes. End the value with a matching \" "
            + "(a multi-line value such as a PEM private key goes inside one pair of double quotes), or remove the opening quote."], error.Problems);
        Assert.DoesNotContain("PRIVATE KEY-----", error.Message, StringComparison.Ordinal);
        Assert.Equal([$"{path} line 1: the value of A opens a ' quote that never closes. End the value with a matching ' "
            + "(a multi-line value such as a PEM private key goes inside one pair of double quotes), or remove the opening quote."], single.Problems);
    }

    [Fact]
    public void The_server_refuses_to_start_with_an_unterminated_quote_in_its_env_file()
    {
        var path = Path.Combine(_directory, ".env");
        File.WriteAllText(path, "LOG_LEVEL=\"Debug\n");
        var configuration = new ConfigurationManager();

        var error = Assert.Throws<InvalidConfigurationException>(() => DotEnvConfigurationSource.InsertBelowEnvironment(configuration, path));

        Assert.StartsWith("Nectr cannot start; fix these settings", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{path} line 1: the value of LOG_LEVEL", error.Message, StringComparison.Ordinal);
    }

    private IConfiguration Read(string text)
    {
        var path = Path.Combine(_directory, ".env");
        File.WriteAllText(path, text);
        return new ConfigurationBuilder().Add(new DotEnvConfigurationSource(path)).Build();
    }
}

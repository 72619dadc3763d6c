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
    public void A_quote_that_never_closes_is_read_as_written_instead_of_swallowing_the_rest_of_the_file()
    {
        var config = Read("A=\"unterminated\nB=2\n");

        Assert.Equal("\"unterminated", config["A"]);
        Assert.Equal("2", config["B"]);
    }

    private IConfiguration Read(string text)
    {
        var path = Path.Combine(_directory, ".env");
        File.WriteAllText(path, text);
        return new ConfigurationBuilder().Add(new DotEnvConfigurationSource(path)).Build();
    }
}

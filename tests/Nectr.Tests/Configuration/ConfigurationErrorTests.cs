using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

/// <summary>
/// Every message a settings validator can produce, word for word, through the path start-up takes
/// (<see cref="NectrConfiguration.Load"/>: the ValidateOnStart registrations, validated before the host is built).
/// Messages that name a file the test creates are in <see cref="KeyRingConfigurationTests"/>.
/// </summary>
public sealed class ConfigurationErrorTests
{
    private const string SafeProduction =
        "APP_ENV=production;BACKEND_URL=https://nectr.example.com;GITHUB_WEBHOOK_SECRET=0123456789abcdef0123;AUTH_ALLOWED_USERS=octocat;DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true";

    private const string DatabaseForms =
        "Use sqlite:///nectr.db (a file next to the process), sqlite:////var/lib/nectr/nectr.db (absolute path) " +
        "or postgresql://user:password@host:5432/nectr, with special characters in the user or password percent-encoded (; → %3B, = → %3D, @ → %40, / → %2F, # → %23).";

    private const string ProxyFix = "List the addresses or CIDR networks of the reverse proxies in front of Nectr, comma-separated " +
        "(e.g. FORWARDED_ALLOW_IPS=10.0.0.5,172.16.0.0/12), or leave it unset to trust only a proxy on this machine (127.0.0.1, ::1).";

    private const string AppKeyFix = "Download a private key from the App's page (GitHub → Settings → Developer settings → GitHub Apps → your App → "
        + "Private keys) and set GITHUB_APP_PRIVATE_KEY to its PEM text (in .env as a quoted multi-line value) or GITHUB_APP_PRIVATE_KEY_PATH to the .pem file.";

    public static TheoryData<string, string> Messages => new()
    {
        // Hosting
        { "APP_ENV=staging", "APP_ENV 'staging' is not an environment Nectr knows; use production (or prod), development (or dev), or test." },
        { "APP_ENV=test;ASPNETCORE_ENVIRONMENT=Production", "ASPNETCORE_ENVIRONMENT=Production contradicts APP_ENV=test: Nectr derives the host environment from APP_ENV. Unset ASPNETCORE_ENVIRONMENT, or set APP_ENV to what you mean (production (or prod), development (or dev), or test)." },
        { "DOTNET_ENVIRONMENT=Staging", "DOTNET_ENVIRONMENT=Staging contradicts APP_ENV=development (the default): Nectr derives the host environment from APP_ENV. Unset DOTNET_ENVIRONMENT, or set APP_ENV to what you mean (production (or prod), development (or dev), or test)." },
        { "LOG_LEVEL=verbose", "LOG_LEVEL 'verbose' is not a level; use one of Trace, Debug, Information, Warning, Error, Critical, None." },
        { "PORT=eighty", "PORT 'eighty' must be a whole number from 1 to 65535 (default 8000)." },
        { "BACKEND_URL=nectr.example.com", "BACKEND_URL 'nectr.example.com' must be an absolute http(s) URL." },
        { SafeProduction + ";BACKEND_URL=http://nectr.example.com", "APP_ENV=production needs BACKEND_URL to be the public https:// address GitHub reaches Nectr at, e.g. https://nectr.example.com." },
        { "FORWARDED_ALLOW_IPS=proxy.internal", "FORWARDED_ALLOW_IPS 'proxy.internal': 'proxy.internal' is not an IP address (host names are not resolved). " + ProxyFix },
        { "FORWARDED_ALLOW_IPS=10.0.0.5/8", "FORWARDED_ALLOW_IPS '10.0.0.5/8': '10.0.0.5/8' is not a network in CIDR form with its host bits zero (e.g. 10.0.0.0/8). " + ProxyFix },
        { "FORWARDED_ALLOW_IPS=*,10.0.0.1", "FORWARDED_ALLOW_IPS '*,10.0.0.1': '*' trusts every peer, so it cannot be combined with addresses. " + ProxyFix },
        { "FORWARDED_ALLOW_IPS=,", "FORWARDED_ALLOW_IPS ',': it lists no address. " + ProxyFix },

        // Database
        { "DATABASE_URL=nectr.db", "DATABASE_URL 'nectr.db' is not a URL. " + DatabaseForms },
        { "DATABASE_URL=mysql://u@h/d", "DATABASE_URL scheme 'mysql' is not supported. " + DatabaseForms },
        { "DATABASE_URL=sqlite://nectr.db", "DATABASE_URL for SQLite needs three slashes: sqlite:///nectr.db (relative) or sqlite:////data/nectr.db (absolute)." },
        { "DATABASE_URL=sqlite:///:memory:", "DATABASE_URL sqlite:///:memory: would lose every delivery on restart; point it at a file, e.g. sqlite:///nectr.db." },
        { "DATABASE_URL=postgresql://nectr:secret/db", "DATABASE_URL has a ':' but no '@' before the host, so a password may be read as the port. " + DatabaseForms },
        { "DATABASE_URL=postgresql://nectr:pw@db:99999/nectr", "DATABASE_URL port '99999' (host db:99999) is not a number from 1 to 65535. " + DatabaseForms },
        { "DATABASE_URL=postgresql://nectr:pw@/nectr", "DATABASE_URL 'postgresql://…@/nectr' is not a valid PostgreSQL URL. " + DatabaseForms },
        { "DATABASE_URL=postgresql://nectr:pw@db:5432/", "DATABASE_URL for PostgreSQL needs a database name: postgresql://user:password@host:5432/nectr." },
        { "DATABASE_URL=postgresql://nectr:pw@db/nectr?sslmode=sometimes", "DATABASE_URL sslmode 'sometimes' is not one of disable, allow, prefer, require, verify-ca, verify-full." },
        { "DATABASE_WAIT_SECONDS=forever", "DATABASE_WAIT_SECONDS 'forever' must be a number of seconds from 0 to 3600 (default 60)." },

        // Key ring (the file-based messages are in KeyRingConfigurationTests)
        { "DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=sure", "DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS 'sure' must be true or false (default false)." },
        { "NECTR_RESET_SECRETS=please", "NECTR_RESET_SECRETS 'please' must be true or false (default false)." },
        { "SQLITE_SYNCHRONOUS_FULL=always", "SQLITE_SYNCHRONOUS_FULL 'always' must be true or false (default false)." },
        { "DATA_PROTECTION_PREVIOUS_CERT_PASSWORD=pw", "DATA_PROTECTION_PREVIOUS_CERT_PASSWORD is set but DATA_PROTECTION_PREVIOUS_CERT_PATH is not: set DATA_PROTECTION_PREVIOUS_CERT_PATH to the PFX file the password opens." },

        // Auth
        { "GITHUB_CLIENT_ID=Ov23li123", "GITHUB_CLIENT_SECRET is missing while GITHUB_CLIENT_ID is set: copy both from the OAuth App's page (GitHub → Settings → Developer settings → OAuth Apps), or unset both to turn sign-in off." },
        { "GITHUB_CLIENT_SECRET=s3cret", "GITHUB_CLIENT_ID is missing while GITHUB_CLIENT_SECRET is set: copy both from the OAuth App's page (GitHub → Settings → Developer settings → OAuth Apps), or unset both to turn sign-in off." },
        { "AUTH_ALLOWED_USERS=octo cat", "AUTH_ALLOWED_USERS entry 'octo cat' is not a GitHub login; list user logins separated by commas, e.g. AUTH_ALLOWED_USERS=octocat,hubot." },
        { "AUTH_ALLOWED_ORGS=acme corp", "AUTH_ALLOWED_ORGS entry 'acme corp' is not a GitHub login; list organisation logins separated by commas, e.g. AUTH_ALLOWED_ORGS=octocat,hubot." },
        { "AUTH_ALLOWED_ORGS=acme;GITHUB_OAUTH_SCOPES=repo", "GITHUB_OAUTH_SCOPES 'repo' cannot check AUTH_ALLOWED_ORGS: add read:org (e.g. GITHUB_OAUTH_SCOPES=repo read:org), or unset it to use the default." },
        { SafeProduction + ";AUTH_ALLOWED_USERS=", "APP_ENV=production needs AUTH_ALLOWED_USERS or AUTH_ALLOWED_ORGS: without an allow-list any GitHub user could sign in. Set AUTH_ALLOWED_USERS=your-login (comma-separated) and/or AUTH_ALLOWED_ORGS=your-org." },

        // GitHub
        { "GITHUB_API_URL=api.github.com", "GITHUB_API_URL 'api.github.com' must be an absolute http(s) URL (default https://api.github.com/)." },
        { "GITHUB_WEB_URL=ftp://github.com", "GITHUB_WEB_URL 'ftp://github.com' must be an absolute http(s) URL (default https://github.com/)." },

        // GitHub App
        { "GITHUB_APP_ID=nectr-app", "GITHUB_APP_ID 'nectr-app' must be the App's numeric id (shown as \"App ID\" on the App's settings page), e.g. GITHUB_APP_ID=123456." },
        { "GITHUB_APP_ID=123456", "GITHUB_APP_ID is set but the App's private key is not. " + AppKeyFix },
        { "GITHUB_APP_PRIVATE_KEY_PATH=/etc/nectr/app.pem", "A GitHub App private key is set but GITHUB_APP_ID is not: set GITHUB_APP_ID to the App's numeric id (\"App ID\" on the App's settings page), or unset the key." },
        { "GITHUB_APP_ID=123456;GITHUB_APP_PRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----;GITHUB_APP_PRIVATE_KEY_PATH=/etc/nectr/app.pem", "GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH are both set: keep one (the PEM text, or the path of the .pem file)." },
        { "GITHUB_APP_ID=123456;GITHUB_APP_PRIVATE_KEY=not a key", "GITHUB_APP_PRIVATE_KEY is not an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- … or -----BEGIN PRIVATE KEY----- …). " + AppKeyFix },
        { "GITHUB_APP_ID=123456;GITHUB_APP_PRIVATE_KEY_PATH=/nonexistent/nectr-app.pem", "GITHUB_APP_PRIVATE_KEY_PATH '/nonexistent/nectr-app.pem' cannot be read: check that the file exists and that Nectr's user may read it." },
        { "GITHUB_APP_WEBHOOK_SECRET=s3cret", "GITHUB_APP_WEBHOOK_SECRET is set but GITHUB_APP_ID is not: it verifies deliveries from a GitHub App, so set GITHUB_APP_ID and its private key too, or unset it." },
        { "REVIEW_COMMIT_STATUS=sometimes", "REVIEW_COMMIT_STATUS 'sometimes' must be true or false (default true)." },

        // Webhooks
        { "WEBHOOK_MAX_INFLIGHT_MB=10", "WEBHOOK_MAX_INFLIGHT_MB '10' must be a whole number from 25 to 65536 (default 128)." },
        { "WEBHOOK_PAYLOAD_RETENTION_DAYS=-1", "WEBHOOK_PAYLOAD_RETENTION_DAYS '-1' must be a whole number from 0 to 36500 (default 30)." },
        { SafeProduction + ";GITHUB_WEBHOOK_SECRET=", "APP_ENV=production needs GITHUB_WEBHOOK_SECRET: without it every webhook is refused. Generate one with `openssl rand -hex 32` and set the same value on the GitHub webhook." },
        { SafeProduction + ";GITHUB_WEBHOOK_SECRET=short", "APP_ENV=production needs GITHUB_WEBHOOK_SECRET to be at least 20 characters; a short secret can be guessed. Generate one with `openssl rand -hex 32` and set the same value on the GitHub webhook." },

        // Jobs
        { "REVIEW_CONCURRENCY=-1", "REVIEW_CONCURRENCY '-1' must be a whole number from 0 to 64 (default 4)." },
        { "REVIEW_MAX_ATTEMPTS=0", "REVIEW_MAX_ATTEMPTS '0' must be a whole number from 1 to 50 (default 5)." },
        { "REVIEW_LEASE_SECONDS=0.5", "REVIEW_LEASE_SECONDS '0.5' must be a number of seconds from 1 to 3600 (default 30)." },
        { "REVIEW_POLL_SECONDS=often", "REVIEW_POLL_SECONDS 'often' must be a number of seconds from 0.05 to 300 (default 2)." },
        { "REVIEW_RETRY_BASE_SECONDS=0", "REVIEW_RETRY_BASE_SECONDS '0' must be a number of seconds from 0.05 to 3600 (default 15)." },
        { "REVIEW_RETRY_MAX_SECONDS=1e9", "REVIEW_RETRY_MAX_SECONDS '1e9' must be a number of seconds from 0.05 to 86400 (default 1800)." },

        // Repository sync and the knowledge backfill
        { "SYNC_CONCURRENCY=-1", "SYNC_CONCURRENCY '-1' must be a whole number from 0 to 16 (default 1)." },
        { "SYNC_MAX_ATTEMPTS=0", "SYNC_MAX_ATTEMPTS '0' must be a whole number from 1 to 50 (default 5)." },
        { "KNOWLEDGE_BACKFILL_PRS=all", "KNOWLEDGE_BACKFILL_PRS 'all' must be a whole number from 0 to 5000 (default 200)." },

        // Review
        { "REVIEW_DRAFTS=maybe", "REVIEW_DRAFTS 'maybe' must be true or false (default false)." },
        { "REVIEW_MAX_INLINE_COMMENTS=1000", "REVIEW_MAX_INLINE_COMMENTS '1000' must be a whole number from 0 to 500 (default 50)." },
        { "REVIEW_MIN_INLINE_SEVERITY=urgent", "REVIEW_MIN_INLINE_SEVERITY 'urgent' is not a severity; use critical, high, medium, low or nit (default nit: every finding may be posted inline)." },
        { "REVIEW_BLOCKING=2", "REVIEW_BLOCKING '2' must be true or false (default false)." },

        // Commands
        { "COMMAND_HANDLE=-nectr", "COMMAND_HANDLE '-nectr' is not a GitHub login: use 1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen, such as nectr (default nectr)." },
        { "COMMAND_HANDLE=nectr bot", "COMMAND_HANDLE 'nectr bot' is not a GitHub login: use 1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen, such as nectr (default nectr)." },

        // Review tools
        { "REVIEW_TOOL_ROUNDS=-1", "REVIEW_TOOL_ROUNDS '-1' must be a whole number from 0 to 20 (default 4)." },
        { "REVIEW_TOOL_RESULT_BYTES=100", "REVIEW_TOOL_RESULT_BYTES '100' must be a whole number from 1024 to 262144 (default 16384)." },
        { "REVIEW_TOOL_TOKENS=lots", "REVIEW_TOOL_TOKENS 'lots' must be a whole number from 1000 to 1000000 (default 24000)." },
        { "REVIEW_TOOL_SECONDS=0", "REVIEW_TOOL_SECONDS '0' must be a number of seconds from 1 to 3600 (default 120)." },

        // MCP servers (messages naming MCP_SERVERS_FILE are in McpConfigurationTests)
        { "LINEAR_MCP_URL=mcp.linear.app", "LINEAR_MCP_URL 'mcp.linear.app' must be an absolute http(s) URL." },
        { "SENTRY_AUTH_TOKEN=sntrys_x", "SENTRY_AUTH_TOKEN is set but SENTRY_MCP_URL is not: set SENTRY_MCP_URL to Sentry's MCP server (its token is sent to that server only)." },
        { "SLACK_MCP_URL=http://slack-mcp.example.com/mcp;SLACK_BOT_TOKEN=xoxb-1", "SLACK_MCP_URL must be an https URL: SLACK_BOT_TOKEN would be sent in clear text (http is allowed only with MCP_ALLOW_PRIVATE=true, for a server on this machine or network)." },
        { "MCP_ALLOW_PRIVATE=maybe", "MCP_ALLOW_PRIVATE 'maybe' must be true or false (default false)." },
        { "MCP_CALL_TIMEOUT_SECONDS=0", "MCP_CALL_TIMEOUT_SECONDS '0' must be a number of seconds from 1 to 120 (default 10)." },
        { "MCP_RESULT_BYTES=10", "MCP_RESULT_BYTES '10' must be a whole number from 1024 to 262144 (default 16384)." },
        { "MCP_CALLS_PER_REVIEW=99", "MCP_CALLS_PER_REVIEW '99' must be a whole number from 0 to 50 (default 6)." },
        { "MCP_SERVERS_FILE=/nonexistent/mcp.json", "MCP_SERVERS_FILE '/nonexistent/mcp.json' cannot be read (DirectoryNotFoundException): point it at a readable JSON file." },

        // LLM
        { "LLM_PROVIDER=gemini", "LLM_PROVIDER 'gemini' is not a provider; use anthropic, openai (any OpenAI-compatible server) or none." },
        { "LLM_PROVIDER=anthropic", "LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY: create a key at https://console.anthropic.com/settings/keys, or set LLM_PROVIDER=none to review with the built-in checks only." },
        { "LLM_PROVIDER=openai", "LLM_PROVIDER=openai needs OPENAI_API_KEY (https://platform.openai.com/api-keys), or OPENAI_BASE_URL for a local OpenAI-compatible server such as Ollama (http://localhost:11434/v1) or vLLM; or set LLM_PROVIDER=none." },
        { "LLM_CONTEXT_TOKENS=16000;LLM_OUTPUT_TOKENS=9000", "LLM_OUTPUT_TOKENS 9000 leaves too little of LLM_CONTEXT_TOKENS 16000 for the diff; keep the answer reserve at most half the context window." },
        { "OPENAI_API_KEY=k;LLM_CONTEXT_TOKENS=1000", "LLM_CONTEXT_TOKENS '1000' must be a whole number from 4096 to 10000000 (default 128000)." },
        { "ANTHROPIC_API_KEY=k;LLM_CONTEXT_TOKENS=big", "LLM_CONTEXT_TOKENS 'big' must be a whole number from 4096 to 10000000 (default 200000)." },
        { "LLM_OUTPUT_TOKENS=100", "LLM_OUTPUT_TOKENS '100' must be a whole number from 256 to 1000000 (default 8192)." },
        { "ANTHROPIC_BASE_URL=localhost", "ANTHROPIC_BASE_URL 'localhost' must be an absolute http(s) URL." },
        { "OPENAI_API_KEY=k;OPENAI_BASE_URL=localhost:11434", "OPENAI_BASE_URL 'localhost:11434' must be an absolute http(s) URL." },
        { "PARALLEL_REVIEW_AGENTS=sometimes", "PARALLEL_REVIEW_AGENTS 'sometimes' must be true or false (default false)." },
        { "LLM_TIMEOUT_SECONDS=soon", "LLM_TIMEOUT_SECONDS 'soon' must be a number of seconds from 0.1 to 3600 (default 120)." },
        { "LLM_MAX_ATTEMPTS=21", "LLM_MAX_ATTEMPTS '21' must be a whole number from 1 to 20 (default 4)." },
        { "LLM_RETRY_BASE_SECONDS=0", "LLM_RETRY_BASE_SECONDS '0' must be a number of seconds from 0.01 to 600 (default 2)." },
        { "LLM_RETRY_MAX_SECONDS=-1", "LLM_RETRY_MAX_SECONDS '-1' must be a number of seconds from 0.01 to 3600 (default 60)." },
        { "LLM_MAX_CALLS=many", "LLM_MAX_CALLS 'many' must be a whole number from 1 to 100 (default 4)." },
        { "LLM_PRICES=gpt-4.1=2/8;broken", "LLM_PRICES entry 'broken' must be model=input/output in USD per million tokens, entries separated by ';', e.g. gpt-4.1=2/8;claude-sonnet-4-5=3/15." },

        // Memory
        { "MEMORY_EXTRACTION=sometimes", "MEMORY_EXTRACTION 'sometimes' must be true or false (default true)." },
        { "MEMORY_EXTRACTION_TIMEOUT_SECONDS=0", "MEMORY_EXTRACTION_TIMEOUT_SECONDS '0' must be a number of seconds from 1 to 300 (default 20)." },
        { "MEMORY_MAX_PER_REPOSITORY=9", "MEMORY_MAX_PER_REPOSITORY '9' must be a whole number from 10 to 100000 (default 1000)." },
        { "MCP_RATE_LIMIT_PER_MINUTE=0", "MCP_RATE_LIMIT_PER_MINUTE '0' must be a whole number from 1 to 100000 (default 120)." },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_bad_setting_stops_start_up_with_its_own_message_and_fix(string settings, string message)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(settings));

        Assert.Equal(message, Assert.Single(error.Problems));
        Assert.Contains("  - " + message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_in_several_options_classes_are_all_listed_in_one_message_not_as_one_or_more_errors()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load("PORT=0;DATABASE_WAIT_SECONDS=x;GITHUB_API_URL=x;REVIEW_CONCURRENCY=x;REVIEW_DRAFTS=x;LLM_MAX_CALLS=x;WEBHOOK_MAX_INFLIGHT_MB=x;AUTH_ALLOWED_USERS=a b;NECTR_RESET_SECRETS=x"));

        Assert.Equal(9, error.Problems.Count);
        Assert.StartsWith("Nectr cannot start; fix these settings (environment variables or .env):", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("One or more errors", error.Message, StringComparison.OrdinalIgnoreCase);
        foreach (var key in (string[])["PORT", "DATABASE_WAIT_SECONDS", "GITHUB_API_URL", "REVIEW_CONCURRENCY", "REVIEW_DRAFTS", "LLM_MAX_CALLS", "WEBHOOK_MAX_INFLIGHT_MB", "AUTH_ALLOWED_USERS", "NECTR_RESET_SECRETS"])
        {
            Assert.Contains(error.Problems, p => p.StartsWith(key, StringComparison.Ordinal));
            Assert.Contains(Environment.NewLine + "  - " + key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_safe_production_configuration_is_accepted()
    {
        Assert.True(Load(SafeProduction).Hosting.IsProduction);
    }

    /// <summary>"KEY=VALUE;KEY=VALUE"; a later key replaces an earlier one (so rows can change one value of a base).</summary>
    private static StartupOptions Load(string settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in SplitPairs(settings))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            values[pair[..eq]] = pair[(eq + 1)..];
        }

        return NectrConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    /// <summary>Splits on ';' except inside LLM_PRICES, whose entries are themselves separated by ';'.</summary>
    private static IEnumerable<string> SplitPairs(string settings)
    {
        const string Prices = "LLM_PRICES=";
        var at = settings.IndexOf(Prices, StringComparison.Ordinal);
        if (at >= 0)
        {
            foreach (var pair in SplitPairs(settings[..at].TrimEnd(';')))
            {
                yield return pair;
            }

            yield return settings[at..];
            yield break;
        }

        foreach (var pair in settings.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return pair;
        }
    }
}

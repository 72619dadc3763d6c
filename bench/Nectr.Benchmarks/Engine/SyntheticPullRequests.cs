using System.Globalization;
using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Benchmarks.Engine;

/// <summary>
/// Pull requests as GitHub lists them (path, status, counts, per-file patch), built deterministically from a seed:
/// code-like lines in several languages, several hunks per file with three lines of context, and the things real
/// PRs carry besides code: lock files, generated and vendored files, binaries, deletions, renames, a credentials
/// file, a few leaked keys and merge-conflict markers. The keys are random strings of the right shape, made here.
/// </summary>
internal static class SyntheticPullRequests
{
    /// <summary>About 1,000 changed lines (additions + deletions, lock file included) over 20 files.</summary>
    public static ReviewRequest ThousandLines(int seed = 1)
    {
        var random = new Random(seed);
        var files = new List<PullRequestFile>();
        // 17 reviewed files share ~880 changed lines; a lock file, a generated client and a binary make up the rest.
        var budgets = new[] { 140, 110, 90, 80, 70, 60, 55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5 };
        for (var i = 0; i < budgets.Length; i++)
        {
            var language = Languages[i % Languages.Length];
            var path = language.Path(i, test: i is 5 or 11 or 15);
            var (patch, added, removed) = Patch(random, language, budgets[i], maxHunk: 24, secret: i == 3, conflict: i == 7);
            files.Add(new PullRequestFile(path, i == 16 ? "added" : "modified", added, removed, patch, null));
        }

        var (lockPatch, lockAdded, lockRemoved) = LockPatch(random, 100);
        files.Add(new PullRequestFile("web/package-lock.json", "modified", lockAdded, lockRemoved, lockPatch, null));
        var (generated, genAdded, genRemoved) = Patch(random, CSharp, 20, maxHunk: 20, secret: false, conflict: false);
        files.Add(new PullRequestFile("src/Billing.Client/Generated/BillingClient.g.cs", "modified", genAdded, genRemoved, generated, null));
        files.Add(new PullRequestFile("web/public/invoice-logo.png", "added", 0, 0, null, null));
        return Request(files, files.Count, "Export invoices as CSV and PDF", 7);
    }

    /// <summary>3,000 files (GitHub lists no more) of a few changed lines each: a rename or reformat across a monorepo.</summary>
    public static ReviewRequest ThreeThousandFiles(int seed = 2)
    {
        var random = new Random(seed);
        var files = new List<PullRequestFile>(3000);
        for (var i = 0; files.Count < 3000; i++)
        {
            var language = Languages[i % Languages.Length];
            var kind = i % 100;
            files.Add(kind switch
            {
                0 => Lock(random, i),
                1 or 2 => Other(random, language, $"src/Generated/{language.Module(i)}Client{i}.g.cs"),
                3 => Other(random, language, $"vendor/github.com/acme/lib{i}/{language.Module(i).ToLowerInvariant()}.go"),
                4 => new PullRequestFile($"assets/icons/icon-{i}.png", "modified", 0, 0, null, null),
                5 => Deleted(random, language, language.Path(i, test: false)),
                6 when i % 500 == 6 => Other(random, language, $"deploy/{(i % 1000 == 6 ? "staging" : "prod")}/.env.{i}", secret: true),
                7 => DeletionOnly(random, language, language.Path(i, test: false)),
                8 => Renamed(random, language, i),
                _ => Source(random, language, language.Path(i, test: kind % 5 == 4), secret: i % 700 == 13, conflict: i % 1000 == 21),
            });
        }

        return Request(files, files.Count, "Rename Customer to Account across services", 8);
    }

    private static ReviewRequest Request(IReadOnlyList<PullRequestFile> files, int changedFiles, string title, int number) =>
        new("acme", "platform", number, title, "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", number * 1000L, files, changedFiles, ReviewSettings.Default)
        {
            Description = "## What\n\n" + title + ".\n\n## Why\n\nCustomers asked for it in #412; the old path stays until the mobile app moves.\n\n"
                + "## Testing\n\n- unit tests for the writer\n- ran the export against a staging copy (12k invoices, 3.1 s)\n",
            CommitMessages = ["Add the writer", "Wire the endpoint and the job", "Address review comments", "Fix the flaky clock test"],
        };

    private static PullRequestFile Source(Random random, Language language, string path, bool secret = false, bool conflict = false)
    {
        var (patch, added, removed) = Patch(random, language, 2 + random.Next(6), maxHunk: 3, secret, conflict);
        return new PullRequestFile(path, "modified", added, removed, patch, null);
    }

    private static PullRequestFile Other(Random random, Language language, string path, bool secret = false)
    {
        var (patch, added, removed) = Patch(random, language, 2 + random.Next(6), maxHunk: 3, secret, conflict: false);
        return new PullRequestFile(path, "modified", added, removed, patch, null);
    }

    private static PullRequestFile Renamed(Random random, Language language, int i)
    {
        var path = language.Path(i, test: false);
        var (patch, added, removed) = Patch(random, language, 2, maxHunk: 2, secret: false, conflict: false);
        return new PullRequestFile(path, "renamed", added, removed, patch, "legacy/" + path);
    }

    private static PullRequestFile Lock(Random random, int i)
    {
        var (patch, added, removed) = LockPatch(random, 6);
        return new PullRequestFile($"services/svc{i}/package-lock.json", "modified", added, removed, patch, null);
    }

    private static PullRequestFile Deleted(Random random, Language language, string path)
    {
        var builder = new StringBuilder("@@ -1,4 +0,0 @@\n");
        for (var i = 0; i < 4; i++)
        {
            builder.Append('-').Append(language.Line(random, i + 1)).Append('\n');
        }

        return new PullRequestFile(path, "removed", 0, 4, builder.ToString().TrimEnd('\n'), null);
    }

    private static PullRequestFile DeletionOnly(Random random, Language language, string path)
    {
        var start = 10 + random.Next(200);
        var removed = 1 + random.Next(4);
        var builder = new StringBuilder().Append(CultureInfo.InvariantCulture, $"@@ -{start},{removed + 6} +{start},6 @@{language.Section(random)}\n");
        AppendContext(builder, random, language, start, 3);
        for (var i = 0; i < removed; i++)
        {
            builder.Append('-').Append(language.Line(random, start + 3 + i)).Append('\n');
        }

        AppendContext(builder, random, language, start + 3 + removed, 3);
        return new PullRequestFile(path, "modified", 0, removed, builder.ToString().TrimEnd('\n'), null);
    }

    /// <summary>
    /// Hunks of up to <paramref name="maxHunk"/> changed lines (about a quarter removed) until
    /// <paramref name="changed"/> lines changed, with three lines of context on each side, as git writes them.
    /// </summary>
    private static (string Patch, int Added, int Removed) Patch(Random random, Language language, int changed, int maxHunk, bool secret, bool conflict)
    {
        var builder = new StringBuilder();
        var oldLine = 1 + random.Next(60);
        var newLine = oldLine;
        int totalAdded = 0, totalRemoved = 0;
        while (totalAdded + totalRemoved < changed)
        {
            var size = Math.Min(changed - totalAdded - totalRemoved, 1 + random.Next(maxHunk));
            var removed = size >= 4 ? random.Next(size / 3 + 1) : size > 1 ? random.Next(2) : 0;
            var added = size - removed;
            var extra = new List<string>();
            if (secret && totalAdded == 0 && added > 0)
            {
                extra.Add(language.SecretLine(random));
            }

            if (conflict && totalAdded == 0)
            {
                extra.AddRange(["<<<<<<< HEAD", language.Line(random, newLine + 3), "=======", ">>>>>>> feature/account-rename"]);
            }

            var addedLines = Math.Max(added, extra.Count);
            builder.Append(CultureInfo.InvariantCulture, $"@@ -{oldLine},{removed + 6} +{newLine},{addedLines + 6} @@{language.Section(random)}\n");
            AppendContext(builder, random, language, newLine, 3);
            for (var i = 0; i < removed; i++)
            {
                builder.Append('-').Append(language.Line(random, oldLine + 3 + i)).Append('\n');
            }

            for (var i = 0; i < addedLines; i++)
            {
                builder.Append('+').Append(i < extra.Count ? extra[i] : language.Line(random, newLine + 3 + i)).Append('\n');
            }

            AppendContext(builder, random, language, newLine + 3 + addedLines, 3);
            totalAdded += addedLines;
            totalRemoved += removed;
            var gap = 8 + random.Next(60);
            oldLine += removed + 6 + gap;
            newLine += addedLines + 6 + gap;
        }

        return (builder.ToString().TrimEnd('\n'), totalAdded, totalRemoved);
    }

    private static (string Patch, int Added, int Removed) LockPatch(Random random, int changed)
    {
        var builder = new StringBuilder();
        int added = 0, removed = 0, line = 120;
        while (added + removed < changed)
        {
            var package = Packages[random.Next(Packages.Length)];
            var (major, minor) = (random.Next(1, 9), random.Next(0, 30));
            builder.Append(CultureInfo.InvariantCulture, $"@@ -{line},7 +{line},7 @@\n     \"node_modules/{package}\": {{\n")
                .Append(CultureInfo.InvariantCulture, $"-      \"version\": \"{major}.{minor}.{random.Next(10)}\",\n")
                .Append(CultureInfo.InvariantCulture, $"-      \"resolved\": \"https://registry.npmjs.org/{package}/-/{package}-{major}.{minor}.0.tgz\",\n")
                .Append(CultureInfo.InvariantCulture, $"-      \"integrity\": \"sha512-{Base64(random, 86)}==\",\n")
                .Append(CultureInfo.InvariantCulture, $"+      \"version\": \"{major}.{minor + 1}.0\",\n")
                .Append(CultureInfo.InvariantCulture, $"+      \"resolved\": \"https://registry.npmjs.org/{package}/-/{package}-{major}.{minor + 1}.0.tgz\",\n")
                .Append(CultureInfo.InvariantCulture, $"+      \"integrity\": \"sha512-{Base64(random, 86)}==\",\n")
                .Append("       \"dev\": true,\n       \"license\": \"MIT\",\n     },\n");
            added += 3;
            removed += 3;
            line += 40 + random.Next(200);
        }

        return (builder.ToString().TrimEnd('\n'), added, removed);
    }

    private static void AppendContext(StringBuilder builder, Random random, Language language, int firstLine, int count)
    {
        for (var i = 0; i < count; i++)
        {
            builder.Append(' ').Append(language.Line(random, firstLine + i)).Append('\n');
        }
    }

    private static string Base64(Random random, int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    private static string RandomText(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static readonly string[] Packages = ["react-dom", "typescript", "eslint", "vite", "zod", "date-fns", "undici", "postcss", "esbuild", "@types/node"];

    private static readonly string[] Modules = ["Billing", "Accounts", "Orders", "Payments", "Identity", "Catalog", "Shipping", "Reporting", "Notifications", "Search"];

    private static readonly string[] Names = ["account", "invoice", "order", "payment", "customer", "total", "items", "request", "options", "result", "cursor", "batch"];

    private static readonly Language CSharp = new(
        "src/{0}/{0}Service{1}.cs", "tests/{0}.Tests/{0}Service{1}Tests.cs", ["public sealed class {0}Service", "public async Task<IResult> HandleAsync(", "private static decimal Round("],
        [
            "        var {1} = await repository.GetAsync(id, cancellationToken) ?? throw new NotFoundException(id);",
            "        if ({1}.Amount <= 0m) return TypedResults.BadRequest(\"amount must be positive\");",
            "        logger.LogInformation(\"Exported {{Count}} invoices for {{AccountId}}\", count, {1}.AccountId);",
            "        foreach (var item in {1}.Items.Where(i => i.Quantity > {0}))",
            "    public async Task<Account?> Find{2}Async(Guid id, CancellationToken cancellationToken)",
            "        return Math.Round({1}.Total * 1.{0}m, 2, MidpointRounding.AwayFromZero);",
            "        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);",
            "        // Rounds half away from zero, as the tax office expects.",
            "        _ = services.AddScoped<I{2}Repository, Sql{2}Repository>();",
            "    }}",
            "",
        ],
        "        private const string ApiKey = \"{0}\";");

    private static readonly Language TypeScript = new(
        "web/src/{3}/{0}View{1}.tsx", "web/src/{3}/{0}View{1}.test.tsx", ["export function {0}View(", "const columns = [", "async function load("],
        [
            "  const [{1}, set{2}] = useState<{2} | null>(null);",
            "  const response = await fetch(`/api/{1}s/${{id}}?page={0}`, {{ signal }});",
            "  if (!response.ok) throw new Error(`failed to load {1}: ${{response.status}}`);",
            "  return <Table rows={{{1}s}} onSelect={{(row) => navigate(`/{1}s/${{row.id}}`)}} />;",
            "  useEffect(() => {{ void load{2}(id); }}, [id]);",
            "export const {1}Schema = z.object({{ id: z.string().uuid(), total: z.number().min({0}) }});",
            "  // The API returns cents; the table shows currency units.",
            "}}",
            "",
        ],
        "const GITHUB_TOKEN = \"{1}\";");

    private static readonly Language Python = new(
        "services/{3}/{3}/handlers_{1}.py", "services/{3}/tests/test_handlers_{1}.py", ["def handle_{1}(", "class {0}Handler:", "async def export("],
        [
            "    {1} = await session.get({2}, {1}_id)",
            "    if {1} is None:",
            "        raise HTTPException(status_code=404, detail=f\"{1} {{{1}_id}} not found\")",
            "    rows = [row for row in {1}.items if row.quantity > {0}]",
            "    logger.info(\"exported %d rows for %s\", len(rows), {1}.account_id)",
            "    return JSONResponse({{\"total\": round({1}.total * 1.{0}, 2)}})",
            "    # Keep the old field until the mobile app stops reading it.",
            "",
        ],
        "AWS_ACCESS_KEY_ID = \"{0}\"");

    private static readonly Language Go = new(
        "internal/{3}/store_{1}.go", "internal/{3}/store_{1}_test.go", ["func (s *Store) Get{0}(", "func New{0}Handler(", "type {0}Row struct {{"],
        [
            "\t{1}, err := s.db.QueryContext(ctx, \"SELECT id, total FROM {1}s WHERE account_id = $1 LIMIT {0}\", id)",
            "\tif err != nil {{",
            "\t\treturn nil, fmt.Errorf(\"get {1}: %w\", err)",
            "\tdefer rows.Close()",
            "\tfor rows.Next() {{",
            "\t\tout = append(out, {2}{{ID: id, Total: total * {0} / 100}})",
            "\t// Totals are stored in cents.",
            "\t}}",
            "",
        ],
        "\tconst awsKey = \"{0}\"");

    private static readonly Language Java = new(
        "services/{3}/src/main/java/com/acme/{3}/{0}Controller{1}.java", "services/{3}/src/test/java/com/acme/{3}/{0}Controller{1}Test.java",
        ["public class {0}Controller {{", "public ResponseEntity<{0}Dto> get(", "private void validate("],
        [
            "        {2} {1} = repository.findById(id).orElseThrow(() -> new NotFoundException(id));",
            "        if ({1}.getTotal().compareTo(BigDecimal.ZERO) <= 0) {{",
            "            throw new IllegalArgumentException(\"total must be positive: \" + {1}.getTotal());",
            "        log.info(\"exported {{}} rows for {{}}\", rows.size(), {1}.getAccountId());",
            "        return ResponseEntity.ok(mapper.toDto({1}));",
            "    @GetMapping(\"/{1}s/{{id}}\")",
            "        // Rounded as the tax office expects.",
            "    }}",
            "",
        ],
        "    private static final String TOKEN = \"{1}\";");

    private static readonly Language Sql = new(
        "db/migrations/{1:D4}_{3}.sql", "db/tests/{1:D4}_{3}_test.sql", ["", "", ""],
        [
            "ALTER TABLE {1}s ADD COLUMN account_id uuid REFERENCES accounts(id);",
            "UPDATE {1}s SET account_id = customer_id WHERE account_id IS NULL AND id > {0};",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_{1}s_account ON {1}s (account_id, created_at DESC);",
            "-- Backfill in batches of {0} to keep locks short.",
            "SELECT count(*) FROM {1}s WHERE total < 0;",
            "",
        ],
        "-- temporary credentials: {0}");

    private static readonly Language Markdown = new(
        "docs/{3}/{1}-guide.md", "docs/{3}/{1}-guide.md", ["", "## Configuration", "## Migration"],
        [
            "The `{1}` endpoint returns at most {0} rows per page; use the `cursor` field to read on.",
            "- `ACCOUNT_EXPORT_BATCH` — rows per batch (default {0}).",
            "Run `dotnet run --project tools/Migrate -- --from customer --to account` once per environment.",
            "",
            "| field | type | notes |",
            "| `{1}_id` | uuid | was `customer_id` before v{0} |",
        ],
        "Use the key `{0}` for local testing.");

    private static readonly Language[] Languages = [CSharp, TypeScript, Python, CSharp, Go, Java, TypeScript, Sql, Python, Markdown];

    /// <summary>
    /// Templates of one language: <c>{0}</c> is a number, <c>{1}</c> a name, <c>{2}</c> the name capitalised,
    /// <c>{3}</c> a lower-case module. In <see cref="Secret"/>, <c>{0}</c> is an AWS key id and <c>{1}</c> a GitHub token.
    /// </summary>
    private sealed record Language(string SourcePath, string TestPath, string[] Sections, string[] Lines, string Secret)
    {
        public string Module(int i) => Modules[i % Modules.Length];

        public string Path(int i, bool test) => string.Format(CultureInfo.InvariantCulture, test ? TestPath : SourcePath, Module(i), i, "", Module(i).ToLowerInvariant());

        /// <summary>Git's function context after the closing <c>@@</c>, with its leading space; empty for some hunks, as in git.</summary>
        public string Section(Random random)
        {
            var section = Sections[random.Next(Sections.Length)];
            return section.Length == 0 ? "" : " " + string.Format(CultureInfo.InvariantCulture, section, Modules[random.Next(Modules.Length)], Names[random.Next(Names.Length)]);
        }

        public string Line(Random random, int n)
        {
            var name = Names[random.Next(Names.Length)];
            return string.Format(CultureInfo.InvariantCulture, Lines[random.Next(Lines.Length)], n, name, char.ToUpperInvariant(name[0]) + name[1..]);
        }

        public string SecretLine(Random random) => string.Format(CultureInfo.InvariantCulture, Secret,
            "AKIA" + RandomText(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            "ghp_" + RandomText(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36));
    }
}

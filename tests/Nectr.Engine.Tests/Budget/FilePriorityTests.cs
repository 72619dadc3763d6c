using Nectr.Engine.Budget;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Budget;

public sealed class FilePriorityTests
{
    private static ReviewableFile File(string path, int added, int removed = 0)
    {
        var lines = Enumerable.Range(0, added).Select(i => $"+added {i}").Concat(Enumerable.Range(0, removed).Select(i => $"-removed {i}"));
        var patch = $"@@ -1,{removed + 1} +1,{added + 1} @@\n context\n" + string.Join('\n', lines);
        return new ReviewableFile(new PullRequestFile(path, "modified", added, removed, patch, null), PatchParser.Parse(patch));
    }

    private static List<string> Order(params ReviewableFile[] files) => FilePriority.Order(files).Select(f => f.File.Path).ToList();

    [Fact]
    public void Source_comes_before_tests_before_docs_and_config()
    {
        var order = Order(File("README.md", 50), File("tests/BillingTests.cs", 50), File("appsettings.json", 50), File("src/Billing.cs", 1));

        Assert.Equal(["src/Billing.cs", "tests/BillingTests.cs", "README.md", "appsettings.json"], order);
    }

    [Fact]
    public void Within_a_class_files_with_additions_come_before_deletion_only_files()
    {
        var order = Order(File("src/Old.cs", 0, 200), File("src/New.cs", 1));

        Assert.Equal(["src/New.cs", "src/Old.cs"], order);
    }

    [Fact]
    public void Security_sensitive_paths_come_first_then_more_added_lines_then_path()
    {
        var order = Order(File("src/Report.cs", 90), File("src/Auth/TokenValidator.cs", 2), File("src/b.cs", 5), File("src/a.cs", 5), File("db/Migrations/0003_users.sql", 1));

        Assert.Equal(["src/Auth/TokenValidator.cs", "db/Migrations/0003_users.sql", "src/Report.cs", "src/a.cs", "src/b.cs"], order);
    }

    [Fact]
    public void The_order_does_not_depend_on_the_input_order()
    {
        var files = new[] { File("docs/a.md", 3), File("src/x.cs", 3), File("src/y.cs", 3), File("test/x_test.go", 3) };

        Assert.Equal(Order(files), Order(files.Reverse().ToArray()));
    }

    [Theory]
    [InlineData("src/Billing/Invoice.cs", FileClass.Source)]
    [InlineData("web/src/app.tsx", FileClass.Source)]
    [InlineData("tests/Nectr.Tests/InvoiceTests.cs", FileClass.Test)]
    [InlineData("web/src/app.test.tsx", FileClass.Test)]
    [InlineData("pkg/export/export_test.go", FileClass.Test)]
    [InlineData("lib/test_export.py", FileClass.Test)]
    [InlineData("spec/models/user_spec.rb", FileClass.Test)]
    [InlineData("README.md", FileClass.Other)]
    [InlineData("config/appsettings.json", FileClass.Other)]
    [InlineData(".github/workflows/ci.yml", FileClass.Source)]
    [InlineData("deploy/Dockerfile", FileClass.Source)]
    public void Files_are_classified_by_path(string path, FileClass expected)
    {
        Assert.Equal(expected, FilePriority.Classify(path));
    }

    [Theory]
    [InlineData("src/Auth/LoginController.cs", true)]
    [InlineData("src/Crypto/Hasher.cs", true)]
    [InlineData("db/migrations/0001.sql", true)]
    [InlineData("src/Permissions.cs", true)]
    [InlineData("Dockerfile", true)]
    [InlineData(".github/workflows/release.yml", true)]
    [InlineData("src/Invoice.cs", false)]
    [InlineData("docs/guide.md", false)]
    public void Security_sensitive_paths_are_recognised(string path, bool expected)
    {
        Assert.Equal(expected, FilePriority.IsSecuritySensitive(path));
    }
}

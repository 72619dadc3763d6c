using Nectr.Engine.Memory;

namespace Nectr.Engine.Tests.Memory;

public sealed class ProjectMapTests
{
    [Theory]
    [InlineData("package.json", true)]
    [InlineData("Api.csproj", true)]
    [InlineData("Cargo.toml", true)]
    [InlineData("requirements.txt", true)]
    [InlineData("go.mod", true)]
    [InlineData("Program.cs", false)]
    [InlineData("package-lock.json", false)]
    public void Manifests_are_known_by_name_or_extension(string name, bool manifest) => Assert.Equal(manifest, ProjectMap.IsManifest(name));

    [Fact]
    public void Each_ecosystem_is_summarised_by_its_names_and_dependencies()
    {
        ScannedFile[] manifests =
        [
            new("pyproject.toml", "[project]\nname = \"shop\"\nrequires-python = \">=3.12\"\ndependencies = [\n  \"fastapi>=0.110\",\n  \"sqlalchemy[asyncio]~=2.0\",\n]\n"),
            new("Cargo.toml", "[package]\nname = \"engine\"\nedition = \"2021\"\n\n[dependencies]\nserde = { version = \"1\" }\ntokio = \"1\"\n\n[dev-dependencies]\nproptest = \"1\"\n"),
            new("go.mod", "module github.com/acme/tool\n\ngo 1.23\n\nrequire (\n\tgithub.com/spf13/cobra v1.8.0\n\tgolang.org/x/sync v0.7.0 // indirect\n)\n"),
            new("requirements.txt", "# pinned\nDjango==5.0\n-r base.txt\ncelery[redis]>=5\n"),
            new("Gemfile", "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\ngem \"pg\"\n"),
            new("pom.xml", "<project><artifactId>shop</artifactId><dependencies><dependency><artifactId>spring-core</artifactId></dependency></dependencies></project>"),
            new("build.gradle", "dependencies {\n  implementation 'com.squareup.okhttp3:okhttp:4.12.0'\n  testImplementation(\"junit:junit:4.13\")\n}\n"),
            new("package.json", "{ not json"),
        ];

        var map = ProjectMap.Summarise("main", [], ["x"], null, manifests);

        Assert.Equal(
        [
            "Layout (default branch main): no top-level directories; top-level files x.",
            "Rust crate Cargo.toml: name engine; edition 2021; dependencies serde, tokio.",
            "Ruby bundle Gemfile: gems rails, pg.",
            "Gradle build build.gradle: dependencies com.squareup.okhttp3:okhttp:4.12.0, junit:junit:4.13.",
            "Go module go.mod: module github.com/acme/tool; Go 1.23; requires github.com/spf13/cobra, golang.org/x/sync.",
            "Node.js package package.json.",
            "Maven project pom.xml: artifact shop; dependencies spring-core.",
            "Python project pyproject.toml: name shop; Python >=3.12; dependencies fastapi, sqlalchemy.",
            "Python requirements requirements.txt: packages Django, celery.",
        ], map);
    }

    [Fact]
    public void The_readme_gives_its_title_and_first_paragraph_without_badges_links_or_html()
    {
        var readme = new ScannedFile("README.md", "<p align=\"center\"><img src=\"logo.png\"></p>\n\n# Ledger\n\n[![CI](https://ci/badge.svg)](https://ci)\n\nLedger keeps\n[double-entry](https://en.wikipedia.org/wiki/Double-entry) books.\n\nSecond paragraph.");

        var map = ProjectMap.Summarise("main", ["src"], ["README.md"], readme, []);

        Assert.Equal("README (README.md): Ledger. Ledger keeps double-entry books.", map[1]);
    }

    [Fact]
    public void Long_lists_are_cut_and_entries_stay_bounded_and_free_of_control_characters()
    {
        var directories = Enumerable.Range(0, 40).Select(i => $"dir{i:D2}").ToList();
        var packages = string.Concat(Enumerable.Range(0, 200).Select(i => $"<PackageReference Include=\"Package.Number{i}\" />"));

        var map = ProjectMap.Summarise("main", directories, [], new ScannedFile("README", "Title\u0007 line"), [new("A.csproj", $"<Project Sdk=\"Microsoft.NET.Sdk\">{packages}</Project>")]);

        Assert.EndsWith("dir24/ and 15 more.", map[0], StringComparison.Ordinal);
        Assert.Equal("README (README): Title  line", map[1]);
        Assert.Contains("and 175 more", map[2], StringComparison.Ordinal);
        Assert.All(map, entry => Assert.InRange(entry.Length, 1, ProjectMap.MaxEntryChars));
    }
}

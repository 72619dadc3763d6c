using Nectr.Engine.Budget;

namespace Nectr.Engine.Tests.Budget;

public sealed class SensitiveFilesTests
{
    [Theory]
    [InlineData(".env")]
    [InlineData("deploy/.env.production")]
    [InlineData("certs/server.pem")]
    [InlineData("certs/server.key")]
    [InlineData("home/.ssh/id_rsa")]
    [InlineData("keys/id_ed25519")]
    [InlineData("signing/release.p12")]
    [InlineData("signing/release.pfx")]
    [InlineData("config/credentials.json")]
    [InlineData("config/credentials-prod.json")]
    [InlineData("config/secrets.yaml")]
    [InlineData("src/Api/appsettings.secrets.json")]
    [InlineData(".npmrc")]
    [InlineData("infra/prod.tfvars")]
    [InlineData("infra/terraform.tfstate")]
    [InlineData("android/app/release.keystore")]
    public void Credential_files_are_sensitive(string path)
    {
        Assert.True(SensitiveFiles.IsSensitive(path));
    }

    [Theory]
    [InlineData("src/secrets.py")]
    [InlineData("src/Env.cs")]
    [InlineData(".envelope")]
    [InlineData("docs/environment.md")]
    [InlineData("src/KeyVault.cs")]
    [InlineData("src/monkey.ts")]
    public void Code_about_credentials_is_not_sensitive(string path)
    {
        Assert.False(SensitiveFiles.IsSensitive(path));
    }
}

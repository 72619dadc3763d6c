using Nectr.GitHub;

namespace Nectr.Tests.GitHub;

/// <summary>One rule for owner and repository names, used by the webhook intake and by Connect alike.</summary>
public sealed class GitHubNamesTests
{
    [Theory]
    [InlineData("octo-org/widgets", true)]
    [InlineData("jdoe_acme/widgets.js", true)] // an Enterprise Managed User's login carries "_shortcode"
    [InlineData("octo/.github", true)]
    [InlineData("octo/..", false)]
    [InlineData("octo/.", false)]
    [InlineData("/widgets", false)]
    [InlineData("octo/", false)]
    [InlineData("octowidgets", false)]
    [InlineData("octo/wid/gets", false)]
    [InlineData("oc to/widgets", false)]
    [InlineData("octo/wid\u0000gets", false)]
    public void A_full_name_is_owner_slash_repository(string fullName, bool valid) =>
        Assert.Equal(valid, GitHubNames.IsFullName(fullName));

    [Fact]
    public void Names_longer_than_githubs_limits_are_refused()
    {
        Assert.True(GitHubNames.IsOwner(new string('a', GitHubNames.MaxOwnerLength)));
        Assert.False(GitHubNames.IsOwner(new string('a', GitHubNames.MaxOwnerLength + 1)));
        Assert.True(GitHubNames.IsRepository(new string('r', 100)));
        Assert.False(GitHubNames.IsRepository(new string('r', 101)));
    }
}

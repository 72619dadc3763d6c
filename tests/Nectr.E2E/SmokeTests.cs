namespace Nectr.E2E;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.Equal("Nectr", Nectr.Engine.EngineInfo.Name);
}

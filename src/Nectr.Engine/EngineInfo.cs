namespace Nectr.Engine;

/// <summary>Identifies the engine build in review footers and health output.</summary>
public static class EngineInfo
{
    public const string Name = "Nectr";
}

namespace Nectr.Engine.Review;

/// <summary>What Nectr thinks of the PR, computed by policy from structured findings, never taken from a model.</summary>
public enum Verdict { Approve, RequestChanges, NeedsDiscussion }

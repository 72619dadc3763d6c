using Nectr.Engine.Commands;

namespace Nectr.Configuration;

/// <summary>PR comment commands: the handle people address Nectr by (<c>@nectr review</c>, <c>/nectr review</c>).</summary>
internal sealed class CommandOptions
{
    public const string HandleKey = "COMMAND_HANDLE";
    public const string DefaultHandle = "nectr";

    [ConfigurationKeyName(HandleKey)] public string? HandleText { get; set => field = Setting.Text(value); }

    /// <summary>The handle without a leading <c>@</c>; compared case-insensitively, as GitHub compares logins.</summary>
    public string Handle => HandleText is { } text ? text.TrimStart('@') : DefaultHandle;
}

internal sealed class CommandOptionsValidator : OptionsValidator<CommandOptions>
{
    protected override void Check(CommandOptions options, List<string> errors)
    {
        if (!CommandParser.IsValidHandle(options.Handle))
        {
            errors.Add($"{CommandOptions.HandleKey} '{options.HandleText}' is not a GitHub login: use 1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen, such as nectr (default nectr).");
        }
    }
}

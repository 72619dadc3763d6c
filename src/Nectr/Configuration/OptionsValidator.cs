using Microsoft.Extensions.Options;

namespace Nectr.Configuration;

/// <summary>
/// The shape of every settings validator: it collects each problem with its fix instead of stopping at the first, so
/// an operator corrects a bad .env in one go instead of one restart per mistake.
/// </summary>
internal abstract class OptionsValidator<T> : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Check(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    protected abstract void Check(T options, List<string> errors);
}

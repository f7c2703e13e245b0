namespace ClaimsService.Browser.Tests.Infrastructure;

/// <summary>
/// The suites that start the service run one after another: process-wide listeners (meters, activities) then see one
/// service at a time, and Chromium does not compete with another host for the two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OpsCollection
{
    public const string Name = "ops";
}

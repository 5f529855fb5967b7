using Xunit;

namespace ExoKit.Tests;

/// <summary>One sandbox tenant for every test class that names this collection.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxProcess>
{
    public const string Name = "sandbox";
}

using System.Management.Automation;
using Xunit;

namespace ExoKit.Tests;

internal static class ErrorRecordAssert
{
    /// <summary>The record exists, has the stable id (before the command name PowerShell appends) and the category.</summary>
    internal static void Is(ErrorRecord? record, string errorId, string category)
    {
        Assert.NotNull(record);
        Assert.StartsWith(errorId + ",", record!.FullyQualifiedErrorId);
        Assert.Equal(category, record.CategoryInfo.Category.ToString());
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ExoKit;

/// <summary>
/// Tab completion for -Permission and -Role: Exchange's application roles are a fixed set, one
/// per Graph mailbox permission ("Application Mail.Read" grants Mail.Read), so both complete
/// without a request.
/// </summary>
public sealed class PermissionCompleter : IArgumentCompleter
{
    /// <summary>The mailbox permissions Exchange's application roles grant.</summary>
    internal static readonly string[] Permissions =
    {
        "Mail.Read", "Mail.ReadBasic", "Mail.ReadWrite", "Mail.Send", "MailboxSettings.Read", "MailboxSettings.ReadWrite",
        "Calendars.Read", "Calendars.ReadWrite", "Contacts.Read", "Contacts.ReadWrite",
    };

    /// <summary>Exchange's application roles: one per permission, and the two full-access ones.</summary>
    internal static IEnumerable<string> Roles =>
        Permissions.Select(p => "Application " + p).Concat(new[] { "Application Mail Full Access", "Application Exchange Full Access" });

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Complete(Permissions, wordToComplete);

    internal static IEnumerable<CompletionResult> Complete(IEnumerable<string> values, string word)
    {
        string typed = word.Trim('\'', '"');
        foreach (string value in values.Where(v => v.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
            || v.Contains(" " + typed, StringComparison.OrdinalIgnoreCase)))
        {
            string text = value.Contains(' ') ? $"'{value}'" : value;
            yield return new CompletionResult(text, value, CompletionResultType.ParameterValue, value);
        }
    }
}

/// <summary>-Role: "Application &lt;permission&gt;" names (the short permission name works too).</summary>
public sealed class RoleCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        PermissionCompleter.Complete(PermissionCompleter.Roles, wordToComplete);
}

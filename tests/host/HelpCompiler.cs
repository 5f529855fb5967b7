using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Xml.Linq;

namespace ExoKit.Host;

/// <summary>
/// Writes the module's MAML help from <c>ps-module/help/help.json</c> (the words) and the
/// cmdlets themselves (syntax, types, positions, pipeline input), so syntax never drifts. Fails,
/// naming the cmdlet and parameter, when the words and the cmdlets disagree.
/// </summary>
public static class HelpCompiler
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static int Compile(string psd1, string jsonPath, string outputPath)
    {
        using JsonDocument words = JsonDocument.Parse(File.ReadAllText(jsonPath));
        List<CmdletInfo> cmdlets = ExportedCmdlets(psd1);
        var problems = new List<string>();
        var commands = new List<XElement>();
        foreach (CmdletInfo cmdlet in cmdlets)
        {
            if (!words.RootElement.TryGetProperty(cmdlet.Name, out JsonElement entry))
            {
                problems.Add($"{cmdlet.Name}: no entry in {jsonPath}");
                continue;
            }
            problems.AddRange(Check(cmdlet, entry));
            commands.Add(CommandElement(cmdlet, entry));
        }
        foreach (JsonProperty extra in words.RootElement.EnumerateObject().Where(p => cmdlets.All(c => c.Name != p.Name)))
        {
            problems.Add($"{extra.Name}: described in {jsonPath} but not exported by the module");
        }
        if (problems.Count > 0)
        {
            Console.Error.WriteLine("help does not match the cmdlets:\n  " + string.Join("\n  ", problems));
            return 1;
        }
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev), commands));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        document.Save(outputPath);
        return 0;
    }

    private static List<CmdletInfo> ExportedCmdlets(string psd1)
    {
        using Shell shell = Shell.Open();
        ShellResult result = shell.Run($"Import-Module '{Path.GetFullPath(psd1).Replace("'", "''")}' -PassThru | ForEach-Object {{ $_.ExportedCmdlets.Values }}");
        if (result.Terminating is not null || result.Errors.Count > 0)
        {
            throw new InvalidOperationException($"cannot import {psd1}: {result.Terminating?.Message ?? result.Errors[0].ToString()}");
        }
        return result.Output.Select(o => (CmdletInfo)o.BaseObject).OrderBy(c => c.Name).ToList();
    }

    private static IEnumerable<string> Check(CmdletInfo cmdlet, JsonElement entry)
    {
        var described = entry.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet();
        var actual = OwnParameters(cmdlet).Select(p => p.Name).ToHashSet();
        foreach (string missing in actual.Except(described)) yield return $"{cmdlet.Name} -{missing}: no description";
        foreach (string unknown in described.Except(actual)) yield return $"{cmdlet.Name} -{unknown}: no such parameter";
        if (entry.GetProperty("examples").GetArrayLength() == 0) yield return $"{cmdlet.Name}: no example";
    }

    private static IEnumerable<ParameterMetadata> OwnParameters(CmdletInfo cmdlet) =>
        cmdlet.Parameters.Values.Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && !Cmdlet.OptionalCommonParameters.Contains(p.Name));

    /// <summary>The parameters help shows: the cmdlet's own, then -WhatIf and -Confirm where it supports ShouldProcess.</summary>
    private static IEnumerable<ParameterMetadata> ShownParameters(CmdletInfo cmdlet) =>
        OwnParameters(cmdlet).Concat(cmdlet.Parameters.Values.Where(p => ShouldProcessParameters.ContainsKey(p.Name)));

    /// <summary>The platform's own words for the ShouldProcess parameters (the cmdlets' entries need not repeat them).</summary>
    private static readonly Dictionary<string, string> ShouldProcessParameters = new()
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    private static XElement CommandElement(CmdletInfo cmdlet, JsonElement entry)
    {
        string[] verbNoun = cmdlet.Name.Split('-', 2);
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", verbNoun[0]),
                new XElement(Command + "noun", verbNoun[1]),
                new XElement(Maml + "description", Para(entry.GetProperty("synopsis").GetString()))),
            new XElement(Maml + "description", entry.GetProperty("description").EnumerateArray().Select(p => Para(p.GetString()))),
            new XElement(Command + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, set, entry))),
            new XElement(Command + "parameters", ShownParameters(cmdlet).Select(p => ParameterElement(p, FirstUse(cmdlet, p.Name), entry))),
            new XElement(Command + "inputTypes", InputTypes(cmdlet)),
            new XElement(Command + "returnValues", ReturnValues(cmdlet, entry)),
            new XElement(Command + "examples", entry.GetProperty("examples").EnumerateArray().Select((e, i) => Example(e, i + 1))),
            new XElement(Maml + "relatedLinks", Links(entry)));
    }

    private static XElement SyntaxItem(CmdletInfo cmdlet, CommandParameterSetInfo set, JsonElement entry) =>
        new(Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            set.Parameters.Where(p => !Cmdlet.CommonParameters.Contains(p.Name)
                    && (!Cmdlet.OptionalCommonParameters.Contains(p.Name) || ShouldProcessParameters.ContainsKey(p.Name)))
                .Select(p => ParameterElement(cmdlet.Parameters[p.Name], p, entry)));

    /// <summary>INPUTS: the type of each parameter that takes pipeline input, and how it binds.</summary>
    private static IEnumerable<XElement> InputTypes(CmdletInfo cmdlet)
    {
        var piped = cmdlet.ParameterSets.SelectMany(s => s.Parameters)
            .Where(p => p.ValueFromPipeline || p.ValueFromPipelineByPropertyName)
            .GroupBy(p => p.Name)
            .Select(g => (Name: g.Key, ByValue: g.Any(p => p.ValueFromPipeline), Type: TypeName(cmdlet.Parameters[g.Key].ParameterType)))
            .ToList();
        if (piped.Count == 0)
        {
            yield return TypeElement("inputType", "None", "This cmdlet takes no pipeline input.");
            yield break;
        }
        foreach (var (name, byValue, type) in piped)
        {
            string how = byValue ? $"binds to -{name}" : $"objects with a {name} property (or one of its aliases) bind it to -{name}";
            yield return TypeElement("inputType", type, $"Pipeline input {how}.");
        }
    }

    /// <summary>
    /// OUTPUTS: the objects the cmdlet writes, by the type name its views and Get-Member show,
    /// each with the entry's "outputs" text for that type (when it says when the type is written).
    /// </summary>
    private static IEnumerable<XElement> ReturnValues(CmdletInfo cmdlet, JsonElement entry)
    {
        var types = cmdlet.OutputType.Select(t => t.Type is null ? t.Name : "ExoKit." + t.Type.Name).Distinct().ToList();
        if (types.Count == 0)
        {
            yield return TypeElement("returnValue", "None", "This cmdlet writes no object.");
            yield break;
        }
        foreach (string type in types)
        {
            string text = entry.TryGetProperty("outputs", out JsonElement outputs) && outputs.TryGetProperty(type, out JsonElement said) ? said.GetString() ?? "" : "";
            yield return TypeElement("returnValue", type, text);
        }
    }

    private static XElement TypeElement(string kind, string type, string description) =>
        new(Command + kind, new XElement(Dev + "type", new XElement(Maml + "name", type)), new XElement(Maml + "description", Para(description)));

    /// <summary>A type as an admin reads it: String[] and Boolean, not Nullable`1 or System.String[].</summary>
    private static string TypeName(Type type)
    {
        Type shown = Nullable.GetUnderlyingType(type) ?? type;
        return shown.Namespace == "ExoKit.Native" ? "ExoKit." + shown.Name : shown.Name;
    }

    private static CommandParameterInfo FirstUse(CmdletInfo cmdlet, string name) =>
        cmdlet.ParameterSets.SelectMany(s => s.Parameters).First(p => p.Name == name);

    private static XElement ParameterElement(ParameterMetadata meta, CommandParameterInfo use, JsonElement entry)
    {
        string description = entry.GetProperty("parameters").TryGetProperty(meta.Name, out JsonElement d) ? d.GetString() ?? ""
            : ShouldProcessParameters.GetValueOrDefault(meta.Name, "");
        string pipeline = use.ValueFromPipeline ? "True (ByValue)" : use.ValueFromPipelineByPropertyName ? "True (ByPropertyName)" : "False";
        bool isSwitch = meta.SwitchParameter;
        return new XElement(Command + "parameter",
            new XAttribute("required", use.IsMandatory.ToString().ToLowerInvariant()),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", use.Position >= 0 ? use.Position.ToString() : "named"),
            new XAttribute("aliases", meta.Aliases.Count > 0 ? string.Join(", ", meta.Aliases) : "none"),
            new XElement(Maml + "name", meta.Name),
            new XElement(Maml + "description", Para(description)),
            isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), TypeName(meta.ParameterType)),
            new XElement(Dev + "type", new XElement(Maml + "name", TypeName(meta.ParameterType))));
    }

    private static XElement Example(JsonElement example, int number) =>
        new(Command + "example",
            new XElement(Maml + "title", $"-------------------------- Example {number} --------------------------"),
            new XElement(Dev + "code", example.GetProperty("code").GetString()),
            new XElement(Dev + "remarks", Para(example.GetProperty("remarks").GetString())));

    private static IEnumerable<XElement> Links(JsonElement entry) =>
        entry.TryGetProperty("links", out JsonElement links)
            ? links.EnumerateArray().Select(l => new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l.GetString())))
            : [];

    private static XElement Para(string? text) => new(Maml + "para", text ?? "");
}

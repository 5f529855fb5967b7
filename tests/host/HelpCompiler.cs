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
            new XElement(Command + "parameters", OwnParameters(cmdlet).Select(p => ParameterElement(p, FirstUse(cmdlet, p.Name), entry))),
            new XElement(Command + "examples", entry.GetProperty("examples").EnumerateArray().Select((e, i) => Example(e, i + 1))),
            new XElement(Maml + "relatedLinks", Links(entry)));
    }

    private static XElement SyntaxItem(CmdletInfo cmdlet, CommandParameterSetInfo set, JsonElement entry) =>
        new(Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            set.Parameters.Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && !Cmdlet.OptionalCommonParameters.Contains(p.Name))
                .Select(p => ParameterElement(cmdlet.Parameters[p.Name], p, entry)));

    private static CommandParameterInfo FirstUse(CmdletInfo cmdlet, string name) =>
        cmdlet.ParameterSets.SelectMany(s => s.Parameters).First(p => p.Name == name);

    private static XElement ParameterElement(ParameterMetadata meta, CommandParameterInfo use, JsonElement entry)
    {
        string description = entry.GetProperty("parameters").TryGetProperty(meta.Name, out JsonElement d) ? d.GetString() ?? "" : "";
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
            isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), meta.ParameterType.Name),
            new XElement(Dev + "type", new XElement(Maml + "name", meta.ParameterType.FullName)));
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

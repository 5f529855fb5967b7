<#
.SYNOPSIS
    Builds, tests, demonstrates, measures and packages ExoKit.
.DESCRIPTION
    A front door for admins and contributors with pwsh. Every step is `cargo xtask <step>`, the
    same command the README gives for machines without pwsh: there is one build logic, in xtask/.
.EXAMPLE
    ./build.ps1 -Test
.EXAMPLE
    ./build.ps1 -Package
#>
[CmdletBinding(DefaultParameterSetName = 'Build')]
param(
    [Parameter(ParameterSetName = 'Build')] [switch] $Build,
    [Parameter(ParameterSetName = 'Build')] [switch] $Release,
    [Parameter(ParameterSetName = 'Test', Mandatory)] [switch] $Test,
    [Parameter(ParameterSetName = 'Demo', Mandatory)] [switch] $Demo,
    [Parameter(ParameterSetName = 'Bench', Mandatory)] [switch] $Bench,
    [Parameter(ParameterSetName = 'Package', Mandatory)] [switch] $Package,
    [Parameter(ParameterSetName = 'Bindings', Mandatory)] [switch] $Bindings
)
$ErrorActionPreference = 'Stop'
$step = switch ($PSCmdlet.ParameterSetName) {
    'Build'    { if ($Release) { @('build', '--release') } else { @('build') } }
    'Test'     { @('test') }
    'Demo'     { @('demo') }
    'Bench'    { @('bench') }
    'Package'  { @('package') }
    'Bindings' { @('bindings') }
}
Push-Location $PSScriptRoot
try {
    & cargo xtask @step
    if ($LASTEXITCODE -ne 0) { throw "cargo xtask $($step -join ' ') failed with exit code $LASTEXITCODE" }
}
finally {
    Pop-Location
}

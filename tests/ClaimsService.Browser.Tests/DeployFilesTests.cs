using System.Text.Json;
using ClaimsService.Api.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ClaimsService.Browser.Tests;

/// <summary>
/// deploy/ cannot be run here (no Docker engine, no cluster): these tests parse every file and check that the pieces
/// agree with each other and with the service (ports, probe paths, names, the Prometheus target).
/// </summary>
public sealed class DeployFilesTests
{
    private static readonly string Deploy = ClaimsAppFactory.RepositoryPath("deploy");

    public static TheoryData<string> YamlFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Deploy, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)).Order())
            data.Add(Path.GetRelativePath(Deploy, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void EveryYamlFileParses(string file)
    {
        var documents = Load(file);
        Assert.NotEmpty(documents);
        Assert.All(documents, d => Assert.IsType<YamlMappingNode>(d.RootNode));
    }

    [Fact]
    public void TheComposeStackRunsTheServiceOnSqlServerWithTheCollectorPrometheusAndGrafana()
    {
        var services = Map(Root("compose/compose.yml"), "services");
        Assert.Equal(["claims", "grafana", "otel-collector", "prometheus", "sqlserver", "sqlserver-init"], services.Children.Keys.Select(k => k.ToString()).Order().ToArray());
        Assert.StartsWith("mcr.microsoft.com/mssql/server:2022", Scalar(Map(services, "sqlserver"), "image"));
        var claims = Map(services, "claims");
        var env = Map(claims, "environment");
        Assert.Equal("SqlServer", Scalar(env, "Database__Provider"));
        Assert.Contains("Server=sqlserver,1433;Database=claims", Scalar(env, "ConnectionStrings__Claims"));
        Assert.Equal("http://otel-collector:4317", Scalar(env, "OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("Dockerfile", Scalar(Map(claims, "build"), "dockerfile"));
        // Every file a container mounts exists in the repository.
        foreach (var service in services.Children.Values.OfType<YamlMappingNode>())
            if (service.Children.TryGetValue("volumes", out var volumes))
                foreach (var volume in ((YamlSequenceNode)volumes).Select(v => v.ToString()).Where(v => v.StartsWith("../", StringComparison.Ordinal)))
                {
                    var source = Path.GetFullPath(Path.Combine(Deploy, "compose", volume.Split(':')[0]));
                    Assert.True(File.Exists(source) || Directory.Exists(source), $"{volume}: {source} is missing");
                }
    }

    [Fact]
    public void PrometheusScrapesTheServiceMetricsEndpointOnItsContainerPort()
    {
        var job = ((YamlSequenceNode)Root("prometheus/prometheus.yml").Children["scrape_configs"]).OfType<YamlMappingNode>()
            .Single(j => Scalar(j, "job_name") == "claims-service");
        Assert.Equal("/metrics", Scalar(job, "metrics_path"));
        var targets = (YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)job.Children["static_configs"])[0]).Children["targets"];
        Assert.Equal("claims:8080", targets[0].ToString());
    }

    [Fact]
    public void TheDeploymentProbesTheHealthEndpointsAndTheHpaAndServiceTargetIt()
    {
        var deployment = Root("k8s/deployment.yaml");
        var name = Scalar(Map(deployment, "metadata"), "name");
        var template = Map(Map(deployment, "spec"), "template");
        var labels = Map(Map(template, "metadata"), "labels");
        var container = (YamlMappingNode)((YamlSequenceNode)Map(template, "spec").Children["containers"])[0];
        Assert.Equal("/health/live", Scalar(Map(Map(container, "livenessProbe"), "httpGet"), "path"));
        Assert.Equal("/health/ready", Scalar(Map(Map(container, "readinessProbe"), "httpGet"), "path"));
        var port = (YamlMappingNode)((YamlSequenceNode)container.Children["ports"])[0];
        Assert.Equal("8080", Scalar(port, "containerPort"));
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", File.ReadAllText(ClaimsAppFactory.RepositoryPath("Dockerfile")));
        var resources = Map(container, "resources");
        Assert.True(Map(resources, "requests").Children.Count == 2 && Map(resources, "limits").Children.Count == 2);
        var secret = Map(Map((YamlMappingNode)((YamlSequenceNode)container.Children["env"]).First(e => Scalar((YamlMappingNode)e, "name") == "ConnectionStrings__Claims"), "valueFrom"), "secretKeyRef");
        Assert.Equal("claims-db", Scalar(secret, "name"));

        var hpa = Root("k8s/hpa.yaml");
        var target = Map(Map(hpa, "spec"), "scaleTargetRef");
        Assert.Equal(("Deployment", name), (Scalar(target, "kind"), Scalar(target, "name")));
        var selector = Map(Map(Root("k8s/service.yaml"), "spec"), "selector");
        Assert.All(selector.Children, kv => Assert.Equal(kv.Value.ToString(), Scalar(labels, kv.Key.ToString())));

        var kustomization = Root("k8s/kustomization.yaml");
        var listed = ((YamlSequenceNode)kustomization.Children["resources"]).Select(r => r.ToString()).ToHashSet();
        Assert.All(listed, r => Assert.True(File.Exists(Path.Combine(Deploy, "k8s", r)), r));
        Assert.Contains("deployment.yaml", listed);
        Assert.Contains("hpa.yaml", listed);
        Assert.DoesNotContain("secret.example.yaml", listed);
    }

    [Fact]
    public void GrafanaIsProvisionedWithThePrometheusDatasourceTheDashboardUses()
    {
        var datasource = (YamlMappingNode)((YamlSequenceNode)Root("grafana/provisioning/datasources/prometheus.yml").Children["datasources"])[0];
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana", "dashboards", "claims-service.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.True(panels.Count >= 10);
        Assert.All(panels, p => Assert.Equal(Scalar(datasource, "uid"), p.GetProperty("datasource").GetProperty("uid").GetString()));
        var provider = (YamlMappingNode)((YamlSequenceNode)Root("grafana/provisioning/dashboards/claims.yml").Children["providers"])[0];
        Assert.Equal("/var/lib/grafana/dashboards", Scalar(Map(provider, "options"), "path"));
    }

    [Fact]
    public void EveryOpsSettingIsSetInComposeAndTheConfigMapWithinItsRangeAndEachReplicaIsNamedAfterItsPod()
    {
        var settings = typeof(Api.Ops.OpsOptions).GetProperties().Where(p => p.CanWrite).ToList();
        Assert.Equal(["FlushSeconds", "InstanceName", "RetentionDays"], settings.Select(p => p.Name).Order().ToArray());
        var compose = Map(Map(Map(Root("compose/compose.yml"), "services"), "claims"), "environment");
        var config = Map(Root("k8s/configmap.yaml"), "data");
        foreach (var setting in settings.Where(p => p.Name != "InstanceName"))
        {
            var range = setting.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RangeAttribute), false)
                .Cast<System.ComponentModel.DataAnnotations.RangeAttribute>().Single();
            foreach (var env in new[] { compose, config })
            {
                var value = int.Parse(Scalar(env, $"Ops__{setting.Name}"), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(range.IsValid(value), $"Ops__{setting.Name}={value} is outside {range.Minimum}..{range.Maximum}");
            }
        }
        // Compose runs one instance (its host name names it); in Kubernetes every replica is named after its pod.
        var container = (YamlMappingNode)((YamlSequenceNode)Map(Map(Map(Root("k8s/deployment.yaml"), "spec"), "template"), "spec").Children["containers"])[0];
        var instanceName = (YamlMappingNode)((YamlSequenceNode)container.Children["env"]).Single(e => Scalar((YamlMappingNode)e, "name") == "Ops__InstanceName");
        Assert.Equal("metadata.name", Scalar(Map(Map(instanceName, "valueFrom"), "fieldRef"), "fieldPath"));
        Assert.True(int.Parse(Scalar(Map(Root("k8s/hpa.yaml"), "spec"), "minReplicas"), System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    [Fact]
    public void EveryMetricOfTheServiceHasAGrafanaPanel()
    {
        // The Prometheus names ClaimsMetrics documents, each in some panel's query.
        var names = typeof(Api.Telemetry.ClaimsMetrics).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains("claims.ops.flushes", names);
        var dashboard = File.ReadAllText(Path.Combine(Deploy, "grafana", "dashboards", "claims-service.json"));
        foreach (var name in names)
            Assert.True(dashboard.Contains(name.Replace('.', '_'), StringComparison.Ordinal), $"no Grafana panel queries {name.Replace('.', '_')}");
    }

    [Fact]
    public void EveryServiceSettingOfTheConfigMapIsAnOptionTheServiceBinds()
    {
        var sections = new Dictionary<string, Type>
        {
            [ClaimsService.Data.DatabaseOptions.Section] = typeof(ClaimsService.Data.DatabaseOptions),
            [ClaimsService.Api.Audit.AuditOptions.Section] = typeof(ClaimsService.Api.Audit.AuditOptions),
            [ClaimsService.Api.Ops.OpsOptions.Section] = typeof(ClaimsService.Api.Ops.OpsOptions),
        };
        var keys = Map(Root("k8s/configmap.yaml"), "data").Children.Keys.Select(k => k.ToString()).ToList();
        Assert.Contains("Audit__SealIntervalSeconds", keys);
        foreach (var key in keys.Where(k => sections.ContainsKey(k.Split("__")[0])))
        {
            var (section, name) = (key.Split("__")[0], key.Split("__")[1]);
            Assert.True(sections[section].GetProperty(name) is not null, $"{key} is not an option of {sections[section].Name}");
        }
    }

    private static List<YamlDocument> Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Deploy, file));
        stream.Load(reader);
        return stream.Documents.ToList();
    }

    private static YamlMappingNode Root(string file) => (YamlMappingNode)Load(file).Single().RootNode;

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[key];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[key]).Value ?? "";
}

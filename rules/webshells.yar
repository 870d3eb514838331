// Web shells: server pages that run what an HTTP request sends them.

rule webshell_php_request_exec
{
    meta:
        id = "webshell-php-request-exec"
        severity = "critical"
        kind = "malware"
        description = "PHP code that evaluates or executes a request parameter"
    strings:
        $exec = /(eval|assert|system|shell_exec|passthru|exec|popen|proc_open|create_function)\s*\(\s*(base64_decode\s*\(\s*|stripslashes\s*\(\s*)?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
        $php = "<?"
    condition:
        filesize < 1MB and $php and $exec
}

rule webshell_jsp_runtime_exec
{
    meta:
        id = "webshell-jsp-runtime-exec"
        severity = "critical"
        kind = "malware"
        description = "JSP page that executes a request parameter"
    strings:
        $exec = /Runtime\.getRuntime\(\)\.exec\(\s*request\.getParameter\(/
        $process = /new\s+ProcessBuilder\([^)]{0,80}request\.getParameter\(/
        $jsp = "<%"
    condition:
        filesize < 1MB and $jsp and ($exec or $process)
}

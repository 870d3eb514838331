// Reverse shells: a shell whose input and output are tied to a network connection.
//
// Shells and interpreters contain words such as `/dev/tcp` and `mkfifo` themselves, so each
// rule asks for the whole construction (redirection, host and port, a shell at the far end).

rule revshell_bash_dev_tcp
{
    meta:
        id = "revshell-bash-dev-tcp"
        severity = "high"
        kind = "malware"
        description = "Shell redirected to a /dev/tcp or /dev/udp connection"
    strings:
        $redirect = /(>&|<>|[0-9]>|<)\s*\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}/
    condition:
        $redirect
}

rule revshell_netcat_exec
{
    meta:
        id = "revshell-netcat-exec"
        severity = "high"
        kind = "malware"
        description = "netcat running a shell for the remote end (-e or -c)"
    strings:
        $exec = /\b(nc|ncat|netcat)(\.traditional)?\s[^\n;|&]{0,80}-[a-z]{0,3}[ec]\s*\/bin\/(ba|da|z|k)?sh\b/
    condition:
        $exec
}

rule revshell_mkfifo_pipe
{
    meta:
        id = "revshell-mkfifo-pipe"
        severity = "high"
        kind = "malware"
        description = "Named pipe joining an interactive shell to a network client"
    strings:
        $pipe = /mkfifo\s[^\n]{0,120}[\s|;](\/bin\/)?(ba|da|z)?sh\s+-i[^\n]{0,80}\|\s*(nc|ncat|netcat|telnet|openssl)\b/
    condition:
        $pipe
}

rule revshell_socat_exec
{
    meta:
        id = "revshell-socat-exec"
        severity = "high"
        kind = "malware"
        description = "socat joining a shell to a TCP connection"
    strings:
        $forward = /socat\s[^\n]{0,120}exec:[^\n]{0,40}(ba|da|z)?sh[^\n]{0,120}tcp[46]?:/ nocase
        $reverse = /socat\s[^\n]{0,120}tcp[46]?:[^\n]{0,120}exec:[^\n]{0,40}(ba|da|z)?sh/ nocase
    condition:
        any of them
}

rule revshell_python_socket
{
    meta:
        id = "revshell-python-socket"
        severity = "high"
        kind = "malware"
        description = "Python socket duplicated onto standard input and output of a shell"
    strings:
        $socket = "socket.socket("
        $connect = ".connect(("
        $dup = /dup2\(\s*[A-Za-z_][A-Za-z0-9_.]{0,30}\.fileno\(\)\s*,\s*[012]\s*\)/
        $sh1 = "/bin/sh"
        $sh2 = "/bin/bash"
        $sh3 = "pty.spawn("
    condition:
        filesize < 1MB and $socket and $connect and $dup and any of ($sh*)
}

rule revshell_perl_socket
{
    meta:
        id = "revshell-perl-socket"
        severity = "high"
        kind = "malware"
        description = "Perl socket duplicated onto standard input and output of a shell"
    strings:
        $socket = /socket\(\s*[A-Za-z_]+\s*,\s*PF_INET/
        $open = /open\(\s*STD(IN|OUT|ERR)\s*,\s*["']?[>]?&/
        $exec = /exec\s*\(?\s*["']\/bin\/(ba|da)?sh/
    condition:
        filesize < 1MB and all of them
}

rule revshell_php_socket
{
    meta:
        id = "revshell-php-socket"
        severity = "high"
        kind = "malware"
        description = "PHP socket handed to an interactive shell"
    strings:
        $socket = /fsockopen\s*\(/
        $shell = /(exec|shell_exec|system|passthru|popen|proc_open)\s*\(\s*["']\/bin\/(ba|da)?sh\s+-i/
    condition:
        filesize < 1MB and all of them
}

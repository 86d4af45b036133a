<?php

declare(strict_types=1);

namespace EventHub\Tests\Support;

use PHPUnit\Framework\Assert;

/**
 * One PHP "request" on a session in a process of its own (session-request.php), as Apache would run
 * it: fresh session state, its own database connection and so its own session lock. It reports
 * what it read at session_start and, when told to, waits for a line before it writes.
 */
final class SessionRequest
{
    /** @var resource */
    private $process;
    /** @var array<int, resource> */
    private array $pipes = [];

    public function __construct(array $plan)
    {
        $command = [PHP_BINARY, __DIR__ . '/session-request.php', json_encode($plan, JSON_THROW_ON_ERROR)];
        $process = proc_open($command, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $this->pipes);
        if ($process === false) {
            Assert::fail('cannot start ' . PHP_BINARY);
        }
        $this->process = $process;
    }

    /** The next line the request prints (JSON), within the timeout. */
    public function next(float $timeout = 15.0): array
    {
        $read = [$this->pipes[1]];
        $none = null;
        if (stream_select($read, $none, $none, (int) $timeout) < 1) {
            Assert::fail('the session request printed nothing in time; stderr: ' . $this->stderr());
        }
        $line = fgets($this->pipes[1]);
        if ($line === false) {
            Assert::fail('the session request ended early: ' . $this->stderr());
        }
        $answer = json_decode($line, true);
        if (!is_array($answer)) {
            Assert::fail("the session request printed $line" . $this->stderr());
        }
        return $answer;
    }

    /** Lets a request that waits before writing go on. */
    public function proceed(): void
    {
        fwrite($this->pipes[0], "go\n");
        fflush($this->pipes[0]);
    }

    /** Waits for the end and returns the last line, which must say done (or the error it threw). */
    public function finish(): array
    {
        $last = $this->next();
        while (!isset($last['done']) && !isset($last['error'])) {
            $last = $this->next();
        }
        proc_close($this->process);
        return $last;
    }

    private function stderr(): string
    {
        stream_set_blocking($this->pipes[2], false);
        return (string) stream_get_contents($this->pipes[2]);
    }
}

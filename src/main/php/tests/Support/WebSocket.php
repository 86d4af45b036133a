<?php

declare(strict_types=1);

namespace EventHub\Tests\Support;

use PHPUnit\Framework\Assert;

/**
 * Just enough of a WebSocket client (RFC 6455, plain ws://) to be a browser of the hub's raw
 * endpoint in the tests: the upgrade with chosen headers, masked text frames out, text and close
 * frames in. Every read is bounded by a deadline.
 */
final class WebSocket
{
    public const TIMEOUT = 10.0;

    /** @param resource $socket */
    private function __construct(private $socket, private string $buffer)
    {
    }

    /**
     * @param array<string, string> $headers
     * @throws UpgradeRefused when the hub answers the upgrade with an HTTP status instead
     */
    public static function connect(string $url, array $headers = []): self
    {
        $parts = parse_url($url);
        $host = $parts['host'];
        $port = $parts['port'] ?? 80;
        $socket = @stream_socket_client("tcp://$host:$port", $errno, $error, self::TIMEOUT);
        if ($socket === false) {
            Assert::fail("WebSocket: cannot connect to $host:$port: $error");
        }
        $key = base64_encode(random_bytes(16));
        $request = "GET {$parts['path']} HTTP/1.1\r\nHost: $host:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n";
        foreach ($headers as $name => $value) {
            $request .= "$name: $value\r\n";
        }
        fwrite($socket, $request . "\r\n");
        $ws = new self($socket, '');
        $head = $ws->readUntil("\r\n\r\n");
        if (preg_match('#^HTTP/1\.1 (\d{3})#', $head, $status) !== 1) {
            Assert::fail("WebSocket: not an HTTP answer: $head");
        }
        if ($status[1] !== '101') {
            preg_match('/content-length:\s*(\d+)/i', $head, $length);
            $body = $ws->readBytes((int) ($length[1] ?? 0));
            fclose($socket);
            throw new UpgradeRefused((int) $status[1], $body);
        }
        $accept = base64_encode(sha1($key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', true));
        Assert::assertMatchesRegularExpression('/sec-websocket-accept:\s*' . preg_quote($accept, '/') . '/i', $head);
        return $ws;
    }

    public function send(array $frame): void
    {
        $payload = json_encode($frame, JSON_THROW_ON_ERROR);
        $length = strlen($payload);
        $header = chr(0x81);
        if ($length < 126) {
            $header .= chr(0x80 | $length);
        } elseif ($length < 65536) {
            $header .= chr(0x80 | 126) . pack('n', $length);
        } else {
            $header .= chr(0x80 | 127) . pack('J', $length);
        }
        $mask = random_bytes(4);
        $masked = '';
        for ($i = 0; $i < $length; $i++) {
            $masked .= $payload[$i] ^ $mask[$i % 4];
        }
        fwrite($this->socket, $header . $mask . $masked);
    }

    /** The next bridge frame (a text frame, decoded); fails on a close frame or a timeout. */
    public function nextMessage(float $timeout = self::TIMEOUT): array
    {
        $frame = $this->nextFrame($timeout);
        if ($frame['opcode'] !== 1) {
            Assert::fail('WebSocket: expected a message, got ' . json_encode($this->describe($frame)));
        }
        return json_decode($frame['payload'], true, 512, JSON_THROW_ON_ERROR);
    }

    /** Waits for the hub's close frame, skipping messages; returns [code, reason]. */
    public function awaitClose(float $timeout = self::TIMEOUT): array
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $frame = $this->nextFrame(max(0.01, $deadline - microtime(true)));
            if ($frame['opcode'] === 8) {
                return $this->describe($frame);
            }
        }
    }

    public function close(): void
    {
        if (is_resource($this->socket)) {
            fclose($this->socket);
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    /** @return array{opcode: int, payload: string} */
    private function nextFrame(float $timeout): array
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $head = $this->readBytes(2, $deadline);
            $opcode = ord($head[0]) & 0x0f;
            $length = ord($head[1]) & 0x7f;
            if ($length === 126) {
                $length = unpack('n', $this->readBytes(2, $deadline))[1];
            } elseif ($length === 127) {
                $length = unpack('J', $this->readBytes(8, $deadline))[1];
            }
            $payload = $this->readBytes($length, $deadline);
            if ($opcode === 9) { // ping: answer, as a browser does
                fwrite($this->socket, chr(0x8a) . chr(0x80 | $length) . "\0\0\0\0" . $payload);
                continue;
            }
            if ($opcode === 10) {
                continue;
            }
            return ['opcode' => $opcode, 'payload' => $payload];
        }
    }

    private function describe(array $frame): array
    {
        if ($frame['opcode'] === 8) {
            $code = strlen($frame['payload']) >= 2 ? unpack('n', $frame['payload'])[1] : 1005;
            return ['close' => $code, 'reason' => substr($frame['payload'], 2)];
        }
        return ['opcode' => $frame['opcode'], 'payload' => $frame['payload']];
    }

    private function readUntil(string $end): string
    {
        $deadline = microtime(true) + self::TIMEOUT;
        while (($at = strpos($this->buffer, $end)) === false) {
            $this->fill($deadline);
        }
        $head = substr($this->buffer, 0, $at + strlen($end));
        $this->buffer = substr($this->buffer, $at + strlen($end));
        return $head;
    }

    private function readBytes(int $count, ?float $deadline = null): string
    {
        $deadline ??= microtime(true) + self::TIMEOUT;
        while (strlen($this->buffer) < $count) {
            $this->fill($deadline);
        }
        $bytes = substr($this->buffer, 0, $count);
        $this->buffer = substr($this->buffer, $count);
        return $bytes;
    }

    private function fill(float $deadline): void
    {
        $left = $deadline - microtime(true);
        $read = [$this->socket];
        $none = null;
        if ($left <= 0 || stream_select($read, $none, $none, (int) $left, (int) (fmod($left, 1) * 1e6)) < 1) {
            Assert::fail('WebSocket: nothing from the hub in time');
        }
        $chunk = fread($this->socket, 65536);
        if ($chunk === '' || $chunk === false) {
            Assert::fail('WebSocket: the hub closed the TCP connection');
        }
        $this->buffer .= $chunk;
    }
}

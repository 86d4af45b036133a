<?php

declare(strict_types=1);

namespace EventHub\Exception;

/** 401 `unauthenticated`: no, or a wrong, publish token (`publish.token` on the hub), or the API is off. */
final class AuthenticationException extends HubException
{
}
